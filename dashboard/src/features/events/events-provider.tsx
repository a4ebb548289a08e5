import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import { trpc, trpcClient } from '../../lib/trpc';
import { applyEvent } from './apply-event';
import { recentEventsQuery } from './queries';

export type ConnectionStatus = 'off' | 'connecting' | 'live' | 'reconnecting';

const StatusContext = createContext<ConnectionStatus>('off');
export const useConnectionStatus = () => useContext(StatusContext);

const backoffMs = [1000, 2000, 5000, 10_000];

/**
 * The tab's ONE live subscription. It loads `events.recent` first, then subscribes from that
 * page's cursor; httpSubscriptionLink resumes from the last tracked id on reconnect, so no
 * event is lost or repeated. Events patch the TanStack Query cache; components only read it.
 */
export function EventsProvider({
  enabled,
  userId,
  children,
}: {
  enabled: boolean;
  /** The signed-in user (null for a guest): their own sign-ins refresh their session list. */
  userId: string | null;
  children: ReactNode;
}) {
  const queryClient = useQueryClient();
  const recent = useQuery({ ...recentEventsQuery(), enabled });
  const [status, setStatus] = useState<ConnectionStatus>(enabled ? 'connecting' : 'off');
  // Bumping `epoch` re-runs the effect below: that is how the provider subscribes again.
  const [epoch, setEpoch] = useState(0);
  const failures = useRef(0);
  // Where the stream resumes: the first page's cursor, then the newest id received.
  const lastId = useRef<string | null>(null);
  if (lastId.current === null && recent.data) lastId.current = recent.data.cursor;
  const ready = enabled && recent.isSuccess;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `epoch` is the resubscribe trigger
  useEffect(() => {
    if (!ready) return;
    let disposed = false;
    let wasLive = false;
    let retry: ReturnType<typeof setTimeout> | undefined;

    // The stream ended (session revoked, guest link revoked or expired, core restarting,
    // network gone for good). Re-check who we are: if the session is over, the shell leaves
    // for /login (or says that the guest access ended) and this provider unmounts. If not
    // (another tab of this browser signed in again and rotated the cookie, or the core came
    // back), subscribe again after a pause.
    const ended = () => {
      if (disposed) return;
      setStatus('reconnecting');
      void queryClient.invalidateQueries({ queryKey: trpc.session.whoami.queryKey() });
      const delay = backoffMs[Math.min(failures.current++, backoffMs.length - 1)];
      retry = setTimeout(() => setEpoch((n) => n + 1), delay);
    };

    const sub = trpcClient.events.onEvent.subscribe(
      { lastEventId: lastId.current },
      {
        onStarted: () => {
          wasLive = true;
          failures.current = 0;
          setStatus('live');
        },
        onConnectionStateChange: (s) => {
          if (disposed) return;
          if (s.state === 'pending') setStatus('live');
          else if (s.state === 'connecting') setStatus(wasLive ? 'reconnecting' : 'connecting');
        },
        onData: ({ id, data }) => {
          lastId.current = id;
          applyEvent(queryClient, data, userId);
        },
        onError: ended,
        onStopped: () => ended(),
      },
    );
    return () => {
      disposed = true;
      clearTimeout(retry);
      sub.unsubscribe();
    };
  }, [ready, epoch, queryClient, userId]);

  return <StatusContext.Provider value={enabled ? status : 'off'}>{children}</StatusContext.Provider>;
}
