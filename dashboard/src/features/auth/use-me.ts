import type { AppRouter } from '@serverbox/core/router';
import { useQuery } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { trpc } from '../../lib/trpc';

export type Me = inferRouterOutputs<AppRouter>['auth']['me'];
export type Permission = Me['permissions'][number];

export const meQuery = () => trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 });

/** The signed-in user and what they may do. Only call inside the authenticated shell. */
export function useMe() {
  const { data } = useQuery(meQuery());
  return {
    me: data,
    can: (p: Permission) => data?.permissions.includes(p) ?? false,
  };
}
