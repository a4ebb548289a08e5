import type { TopicPayload } from '@serverbox/core/events';
import type { AppRouter } from '@serverbox/core/router';
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { trpc } from '../../lib/trpc';

type Out = inferRouterOutputs<AppRouter>['audit'];
export type AuditRow = Out['list']['rows'][number];
export type AuditPage = Out['list'];
export type AuditRecord = Out['bySeq'];
export type VerifyResult = Out['verify'];
export type Outcome = AuditRow['outcome'];
export type ActorType = AuditRow['actor']['type'];

export const outcomes = ['success', 'failure', 'denied'] as const satisfies readonly Outcome[];

/** What the filter bar narrows the list by; each one lives in the URL. */
export interface AuditFilters {
  actor?: string;
  action?: string;
  target?: string;
  outcome?: Outcome;
  from?: string;
  to?: string;
}

export const pageSize = 50;

/** A patch that clears every filter. */
export const noFilters: { [K in keyof Required<AuditFilters>]: undefined } = {
  actor: undefined,
  action: undefined,
  target: undefined,
  outcome: undefined,
  from: undefined,
  to: undefined,
};

/** Drops empty filters so `{}` and `{ actor: undefined }` share one cache entry. */
export function cleanFilters(f: AuditFilters): AuditFilters {
  const out: AuditFilters = {};
  for (const key of ['actor', 'action', 'target', 'outcome', 'from', 'to'] as const) {
    const v = f[key];
    if (v) (out as Record<string, string>)[key] = v;
  }
  return out;
}

export const hasFilters = (f: AuditFilters) => Object.keys(cleanFilters(f)).length > 0;

/**
 * Newest first, one page per "Load older". The live stream prepends appended rows (see
 * withAppendedRow), so the list never needs polling; a refetch re-walks the cursors.
 */
export const auditListQuery = (filters: AuditFilters) =>
  trpc.audit.list.infiniteQueryOptions(
    { ...cleanFilters(filters), limit: pageSize },
    { getNextPageParam: (last) => last.nextCursor ?? undefined, refetchOnWindowFocus: false },
  );

// Case-insensitive substrings (the core's ILIKE).
const includes = (hay: string | null | undefined, needle: string) =>
  !!hay && hay.toLowerCase().includes(needle.toLowerCase());

/** The core's filter rules, for a row that arrived live: would the server list it here? */
export function matchesFilters(row: AuditRow, f: AuditFilters): boolean {
  if (f.actor && !includes(row.actor.name, f.actor) && !includes(row.actor.id, f.actor)) return false;
  if (f.action && !row.action.startsWith(f.action)) return false; // a case-sensitive prefix, as in SQL LIKE
  if (f.target) {
    const t = row.target;
    if (!t || !(includes(t.type, f.target) || includes(t.id, f.target) || includes(t.name, f.target))) return false;
  }
  if (f.outcome && row.outcome !== f.outcome) return false;
  const at = Date.parse(row.at);
  if (f.from && at < Date.parse(f.from)) return false;
  if (f.to && at > Date.parse(f.to)) return false;
  return true;
}

/** False once the time filter ends in the past: no new row can appear in this view. */
export const acceptsLiveRows = (f: AuditFilters, now: number) => !f.to || Date.parse(f.to) > now;

type ListData = InfiniteData<AuditPage, number | null>;

/** Inserts a live row into the first (newest) page, in seq order, once. */
export function withAppendedRow(old: ListData | undefined, row: AuditRow): ListData | undefined {
  const [first, ...rest] = old?.pages ?? [];
  if (!old || !first) return old;
  if (old.pages.some((p) => p.rows.some((r) => r.seq === row.seq))) return old;
  // Older than the first page (a late event): it belongs to a page the cursor will reach.
  const oldest = first.rows.at(-1);
  if (oldest && row.seq < oldest.seq) return old;
  const rows = [...first.rows, row].sort((a, b) => b.seq - a.seq);
  return { ...old, pages: [{ ...first, rows }, ...rest] };
}

/**
 * Called by the EventsProvider for every `audit.appended` event: patches each cached
 * audit list whose filters admit the row. Lists not in the cache load fresh when opened.
 */
export function applyAppendedRow(queryClient: QueryClient, payload: TopicPayload<'audit.appended'>) {
  // The same row audit.list returns; the topic's schema only types actor.type as a plain string.
  const row = payload as AuditRow;
  const key = trpc.audit.list.infiniteQueryKey();
  for (const query of queryClient.getQueryCache().findAll({ queryKey: key })) {
    const input = (query.queryKey[1] as { input?: AuditFilters } | undefined)?.input ?? {};
    if (!matchesFilters(row, input)) continue;
    queryClient.setQueryData<ListData>(query.queryKey, (old) => withAppendedRow(old, row));
  }
}
