import type { AppRouter } from '@serverbox/core/router';
import type { inferRouterInputs } from '@trpc/server';

export type TwoFactorPolicy = inferRouterInputs<AppRouter>['twoFactor']['setPolicy']['policy'];

/** The instance policy in a sentence. */
export const policyText: Record<TwoFactorPolicy, string> = {
  off: 'Optional for everyone',
  admins: 'Required for admins',
  all: 'Required for everyone',
};

export const policyOptions = [
  { value: 'off', label: 'Off', effect: 'Each person decides. Nobody is made to enrol.' },
  {
    value: 'admins',
    label: 'Admins',
    effect: 'Admins without 2FA can open only their profile until they turn it on.',
  },
  {
    value: 'all',
    label: 'Everyone',
    effect: 'Anyone without 2FA can open only their profile until they turn it on.',
  },
] as const satisfies readonly { value: TwoFactorPolicy; label: string; effect: string }[];
