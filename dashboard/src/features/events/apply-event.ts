import type { BusEvent } from '@serverbox/core/events';
import type { QueryClient } from '@tanstack/react-query';
import { trpc } from '../../lib/trpc';
import { applyAppendedRow } from '../audit/queries';
import { applyFileEvent, isFileEvent } from '../files/transfer-progress';
import { applyNodeEvent, isNodeEvent } from '../nodes/apply-node-event';
import { applyRunEvent, isRunEvent } from '../runs/apply-run-event';
import { applyServiceEvent, isServiceEvent } from '../services/apply-service-event';
import { isActivity, recentEventsQuery, withEvent } from './queries';

const ownSessionTopics = new Set<BusEvent['topic']>(['auth.signedIn', 'auth.signedOut', 'auth.passwordChanged']);

/**
 * What one live event changes in the cache. Lists that can be patched exactly are patched
 * (the Activity feed, the audit tail); the rest are invalidated, which refetches only the
 * ones on screen and marks the others stale for their next visit.
 */
export function applyEvent(queryClient: QueryClient, e: BusEvent, userId: string | null) {
  const invalidate = (queryKey: readonly unknown[]) => void queryClient.invalidateQueries({ queryKey });
  if (isNodeEvent(e)) {
    applyNodeEvent(queryClient, e);
    return;
  }
  if (isRunEvent(e)) {
    applyRunEvent(queryClient, e);
    return;
  }
  if (isServiceEvent(e)) {
    applyServiceEvent(queryClient, e);
    return;
  }
  if (isFileEvent(e)) {
    applyFileEvent(queryClient, e);
    return;
  }
  switch (e.topic) {
    case 'audit.appended':
      applyAppendedRow(queryClient, e.data);
      // Opening a guest link counts a use: the Guest links page shows uses and last use.
      if (e.data.action.startsWith('guests.')) invalidate(trpc.guests.list.queryKey());
      return;
    case 'audit.checkpointed':
      invalidate(trpc.audit.checkpoints.queryKey());
      return;
    case 'users.created':
    case 'users.changed':
      invalidate(trpc.users.list.queryKey());
      invalidate(trpc.users.invites.queryKey()); // an accepted invitation leaves the pending list
      break;
    case 'users.invited':
      invalidate(trpc.users.invites.queryKey());
      break;
    case 'auth.signedIn':
    case 'auth.signedOut':
      invalidate(trpc.users.list.queryKey()); // last seen, active sessions
      break;
  }
  if (isActivity(e)) queryClient.setQueryData(recentEventsQuery().queryKey, (old) => withEvent(old, e));
  if (ownSessionTopics.has(e.topic) && 'user' in e.data && e.data.user.id === userId) {
    invalidate(trpc.auth.sessions.queryKey());
  }
}
