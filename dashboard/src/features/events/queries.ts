import type { BusEvent } from '@serverbox/core/events';
import { trpc } from '../../lib/trpc';

export type ActivityEvent = BusEvent;
export interface RecentEvents {
  events: BusEvent[];
  cursor: string;
}

/** Rows the cache keeps: the initial page plus what arrived live, newest first. */
export const maxCachedEvents = 200;

/**
 * The one query the Activity feed and the EventsProvider share. The live subscription keeps
 * it current, so it never goes stale and is never refetched behind the stream's back.
 */
export const recentEventsQuery = () =>
  trpc.events.recent.queryOptions(
    { limit: 50 },
    { staleTime: Number.POSITIVE_INFINITY, refetchOnWindowFocus: false, refetchOnReconnect: false },
  );

/** Topics the Activity feed shows: audit rows have their own page (and repeat the sign-ins). */
export const isActivity = (e: BusEvent) => e.topic !== 'audit.appended';

/** Prepends a live event, ignoring one we already hold (a resumed stream may repeat none, but be sure). */
export function withEvent(old: RecentEvents | undefined, e: BusEvent): RecentEvents | undefined {
  if (!old) return old;
  if (old.events.some((x) => x.id === e.id)) return old;
  return { events: [e, ...old.events].slice(0, maxCachedEvents), cursor: e.id };
}
