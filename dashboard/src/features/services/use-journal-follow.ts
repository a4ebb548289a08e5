import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { errorCode, errorMessage } from '../../lib/errors';
import { trpc, trpcClient } from '../../lib/trpc';
import { type LiveJournal, liveJournalQuery, markJournalEnded } from './live-journal';
import type { Follow } from './queries';

/**
 * One live journal follow of a unit, from "Follow journal" until stop, unmount (the drawer
 * closes, the page changes) or the tab closing. While it runs a heartbeat renews its lease
 * every heartbeatSeconds; stopping unfollows at once, so the node's journalctl ends now
 * rather than when the core's 30 s lease lapses.
 */
export function useJournalFollow(nodeId: string, unit: string) {
  const qc = useQueryClient();
  const [follow, setFollow] = useState<Follow | null>(null);
  const start = useMutation(trpc.services.follow.mutationOptions());
  const journal = useQuery({ ...liveJournalQuery(follow?.followId ?? ''), enabled: false });
  const live: LiveJournal | null = follow ? journal.data : null;
  const ended = Boolean(live?.ended);

  useEffect(() => {
    if (!follow || ended) return;
    const followId = follow.followId;
    const beat = setInterval(() => {
      trpcClient.services.keepFollowing.query({ followId }).catch((err: unknown) => {
        // The core stopped it without this tab seeing the final event (e.g. the stream was
        // down while the lease lapsed): say so rather than wait for lines that won't come.
        if (errorCode(err) === 'NOT_FOUND')
          markJournalEnded(qc, followId, { reason: 'idle', message: errorMessage(err) });
      });
    }, follow.heartbeatSeconds * 1000);
    // A closing tab runs no React cleanup. tRPC's client cannot send a keepalive request, so
    // this posts the unfollow mutation by hand (tRPC's plain POST body is the input JSON);
    // the core's mutation guard accepts it: same origin, application/json.
    const onUnload = () =>
      void fetch('/trpc/services.unfollow', {
        method: 'POST',
        keepalive: true,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ followId }),
      }).catch(() => {});
    window.addEventListener('beforeunload', onUnload);
    return () => {
      clearInterval(beat);
      window.removeEventListener('beforeunload', onUnload);
      // An already ended follow answers { wasFollowing: false }; nothing else can go wrong
      // that the reader could fix, and the lease ends it within 30 s anyway.
      void trpcClient.services.unfollow.mutate({ followId }).catch(() => {});
    };
  }, [follow, ended, qc]);

  return {
    follow,
    journal: live,
    starting: start.isPending,
    error: start.error,
    start: (lines = 50) => start.mutate({ nodeId, unit, lines }, { onSuccess: setFollow }),
    stop: () => {
      setFollow(null);
      start.reset();
    },
  };
}
