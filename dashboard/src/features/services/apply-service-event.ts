import type { BusEvent } from '@serverbox/core/events';
import type { QueryClient } from '@tanstack/react-query';
import { trpc } from '../../lib/trpc';
import { appendJournal } from './live-journal';

type ServiceEvent = Extract<BusEvent, { topic: 'services.changed' | 'services.journal' }>;

export const isServiceEvent = (e: BusEvent): e is ServiceEvent =>
  e.topic === 'services.changed' || e.topic === 'services.journal';

/**
 * A unit changed (someone started, stopped… it): that node's unit lists and the unit's
 * status refetch where they are on screen. Journal lines go to their follow's live journal.
 */
export function applyServiceEvent(qc: QueryClient, e: ServiceEvent) {
  switch (e.topic) {
    case 'services.changed': {
      const nodeId = e.data.node.id;
      void qc.invalidateQueries({ queryKey: trpc.services.list.queryKey({ nodeId }) });
      void qc.invalidateQueries({ queryKey: trpc.services.status.queryKey({ nodeId, unit: e.data.unit }) });
      return;
    }
    case 'services.journal':
      appendJournal(qc, e.data.followId, e.data.lines, e.data.ended);
      return;
  }
}
