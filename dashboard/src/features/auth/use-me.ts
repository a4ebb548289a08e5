import type { AppRouter } from '@serverbox/core/router';
import { type QueryClient, useQuery } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { trpc } from '../../lib/trpc';

type Out = inferRouterOutputs<AppRouter>;
/** Who this browser is: a signed-in user, a guest link's visitor, or nobody. */
export type Whoami = Out['session']['whoami'];
export type Me = Extract<Whoami, { kind: 'user' }>;
export type Guest = Extract<Whoami, { kind: 'guest' }>;
export type Permission = Me['permissions'][number];

/**
 * The shell's one question about identity. `session.whoami` answers a guest too (auth.me
 * refuses guests), and says "anonymous" instead of failing once a session is over.
 */
export const whoamiQuery = () => trpc.session.whoami.queryOptions(undefined, { staleTime: 60_000 });

/** After a sign-in (login, setup, invitation): a new identity, so nothing cached may survive. */
export function startSignedIn(queryClient: QueryClient, me: Out['auth']['me']) {
  queryClient.clear();
  queryClient.setQueryData(whoamiQuery().queryKey, { kind: 'user', ...me });
}

/** The signed-in user or guest and what they may do. Only call inside the authenticated shell. */
export function useMe() {
  const { data } = useQuery(whoamiQuery());
  const me = data?.kind === 'user' ? data : undefined;
  const guest = data?.kind === 'guest' ? data : undefined;
  const permissions: readonly Permission[] = me?.permissions ?? guest?.permissions ?? [];
  return { me, guest, can: (p: Permission) => permissions.includes(p) };
}
