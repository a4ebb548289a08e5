import type { BusEvent, Topic } from '@serverbox/core/events';
import { trpc } from '../../lib/trpc';

export type ActivityEvent = BusEvent;
export interface RecentEvents {
  events: BusEvent[];
  cursor: string;
}

/** Rows the cache keeps: the initial page plus what arrived live, newest first. */
export const maxCachedEvents = 200;

/**
 * Topics the Activity feed shows: sign-ins and account changes. The audit tail has its own
 * page (and repeats the sign-ins); signed checkpoints are bookkeeping, shown on that page.
 */
export const activityTopics = [
  'auth.signedIn',
  'auth.signInFailed',
  'auth.signedOut',
  'auth.passwordChanged',
  'users.created',
  'users.invited',
  'users.changed',
] as const satisfies readonly Topic[];

const activity = new Set<Topic>(activityTopics);
export const isActivity = (e: BusEvent) => activity.has(e.topic);

/**
 * The one query the Activity feed and the EventsProvider share, asking only for activity
 * topics (its cursor is the stream's newest id whatever the filter). The live subscription
 * keeps it current, so it never goes stale and is never refetched behind the stream's back.
 */
export const recentEventsQuery = () =>
  trpc.events.recent.queryOptions(
    { limit: 50, topics: [...activityTopics] },
    { staleTime: Number.POSITIVE_INFINITY, refetchOnWindowFocus: false, refetchOnReconnect: false },
  );

/** Prepends a live event, ignoring one we already hold (a resumed stream may repeat none, but be sure). */
export function withEvent(old: RecentEvents | undefined, e: BusEvent): RecentEvents | undefined {
  if (!old) return old;
  if (old.events.some((x) => x.id === e.id)) return old;
  return { events: [e, ...old.events].slice(0, maxCachedEvents), cursor: e.id };
}
