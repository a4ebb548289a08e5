import type { AppRouter } from '@serverbox/core/router';
import type { inferRouterOutputs } from '@trpc/server';
import type { Tone } from '../../ui/badge';

type Out = inferRouterOutputs<AppRouter>['users'];
export type UserRow = Out['list'][number];
export type InviteRow = Out['invites'][number];
export type Role = UserRow['role'];

export const roles = ['admin', 'operator', 'viewer'] as const satisfies readonly Role[];

/** What each role is for, in a sentence (the core's permission table decides the details). */
export const roleDescription: Record<Role, string> = {
  admin: 'Everything, including users, guest links and the audit log.',
  operator: 'Works on the servers; cannot manage people or read the audit log.',
  viewer: 'Looks without changing anything.',
};

export const roleTone: Record<Role, Tone> = { admin: 'accent', operator: 'green', viewer: 'neutral' };

export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "2 sessions ended." after a change that signs someone out. */
export const endedText = (n: number) =>
  n === 0 ? 'They had no active session.' : `${plural(n, 'session', 'sessions')} ended.`;
