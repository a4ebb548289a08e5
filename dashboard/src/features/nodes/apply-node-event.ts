import type { BusEvent } from '@serverbox/core/events';
import type { Query, QueryClient } from '@tanstack/react-query';
import { trpc } from '../../lib/trpc';
import type { NodeDetail, NodeList } from './queries';

type NodeEvent = Extract<BusEvent, { topic: 'nodes.changed' | 'nodes.health' | 'nodes.hostKey' }>;

export const isNodeEvent = (e: BusEvent): e is NodeEvent => e.topic.startsWith('nodes.');

/** A list filtered by status may gain or lose the node when its status changes. */
const filtersByStatus = (q: Query) => {
  const key = q.queryKey[1] as { input?: { status?: string } } | undefined;
  return Boolean(key?.input?.status);
};

/**
 * What a node event changes in the cache. Health is patched in place (status, reason, RTT,
 * last seen arrive in the event itself), so a fleet's routine health checks cost no
 * requests; the pool panel of that node asks again, since pool state has no event of its
 * own. Other changes (added, edited, removed, facts, host keys) refetch what is on screen.
 */
export function applyNodeEvent(queryClient: QueryClient, e: NodeEvent) {
  const id = e.data.node.id;
  const lists = { queryKey: trpc.nodes.list.queryKey() };
  const one = { queryKey: trpc.nodes.get.queryKey({ id }) };
  const pool = { queryKey: trpc.nodes.poolStats.queryKey({ id }) };
  switch (e.topic) {
    case 'nodes.health': {
      const { status, statusReason, rttMs, lastSeenAt } = e.data;
      const patch = { status, statusReason, rttMs, lastSeenAt };
      queryClient.setQueryData<NodeDetail>(one.queryKey, (old) => old && { ...old, ...patch });
      queryClient.setQueriesData<NodeList>(
        lists,
        (old) => old && { ...old, items: old.items.map((n) => (n.id === id ? { ...n, ...patch } : n)) },
      );
      void queryClient.invalidateQueries({ ...lists, predicate: filtersByStatus });
      void queryClient.invalidateQueries(pool);
      return;
    }
    case 'nodes.hostKey':
    case 'nodes.changed':
      void queryClient.invalidateQueries(lists);
      void queryClient.invalidateQueries(one);
      void queryClient.invalidateQueries(pool);
      return;
  }
}
