import type { AppRouter } from '@serverbox/core/router';
import type { inferRouterOutputs } from '@trpc/server';
import type { Tone } from '../../ui/badge';

export type GuestLinkRow = inferRouterOutputs<AppRouter>['guests']['list'][number];
export type GuestLinkStatus = GuestLinkRow['status'];

export const statusTone: Record<GuestLinkStatus, Tone> = {
  active: 'green',
  expired: 'neutral',
  revoked: 'red',
  'used up': 'amber',
};

/** A link whose guest sessions may still be open: revoking it ends them. */
export const revocable = (s: GuestLinkStatus) => s === 'active' || s === 'used up';

/** Lifetimes offered when creating a link (the core caps them at its own maximum). */
export const lifetimes = [
  { hours: 1, label: '1 hour' },
  { hours: 8, label: '8 hours' },
  { hours: 24, label: '24 hours' },
  { hours: 72, label: '3 days' },
  { hours: 168, label: '7 days' },
] as const;
