import type { AppRouter } from '@serverbox/core/router';
import type { inferRouterOutputs } from '@trpc/server';
import type { Tone } from '../../ui/badge';
import type { Permission } from '../auth/use-me';

export type TokenRow = inferRouterOutputs<AppRouter>['tokens']['list'][number];

/** Never given to a token (the core's `tokenExcluded`): account management stays with sessions. */
const excluded: readonly Permission[] = ['profile:manage', 'users:manage', 'guests:manage', 'settings:manage'];

/** What a new token may be given: the user's own permissions, minus account management. */
export const grantable = (mine: readonly Permission[]) => mine.filter((p) => !excluded.includes(p));

export const permissionText: Partial<Record<Permission, string>> = {
  'system:read': 'Read core health and version',
  'events:read': 'Follow the live event stream',
  'activity:read': 'Read sign-ins and account changes',
  'audit:read': 'Read the audit log',
  'audit:verify': 'Verify the audit chain',
  'audit:export': 'Export audit bundles',
};

export const expiries = [7, 30, 90, 365] as const;

export const tokenTone: Record<string, Tone> = { active: 'green', expired: 'neutral', revoked: 'red' };
