import { type QueryClient, queryOptions } from '@tanstack/react-query';

// A followed journal exists only as `services.journal` events. Its lines are kept here, in
// the query cache under a client-only key per follow (as runs keep live output), so the
// events provider writes them and the viewer only reads them.

export interface EndedFollow {
  reason: 'unfollowed' | 'idle' | 'signed-out' | 'exited' | 'failed' | 'shutdown';
  message?: string;
}
export interface LiveJournal {
  lines: string[];
  /** Lines dropped from the front to stay under the cap. */
  dropped: number;
  /** Every line received, cleared or dropped or not: the viewer counts what arrived while paused. */
  received: number;
  ended: EndedFollow | null;
}

/** The most lines a tab keeps per follow; older ones go first. */
export const maxJournalLines = 5000;

const empty: LiveJournal = { lines: [], dropped: 0, received: 0, ended: null };

export const liveJournalQuery = (followId: string) =>
  queryOptions({
    queryKey: ['services.liveJournal', followId] as const,
    queryFn: (): LiveJournal => empty,
    initialData: empty,
    // Only events write it: never fetched, never stale.
    enabled: false,
    staleTime: Number.POSITIVE_INFINITY,
  });

export function appendJournal(qc: QueryClient, followId: string, lines: string[], ended?: EndedFollow) {
  qc.setQueryData(liveJournalQuery(followId).queryKey, (old = empty) => {
    if (old.ended) return old; // nothing comes after the end; a late duplicate changes nothing
    const all = lines.length ? [...old.lines, ...lines] : old.lines;
    const over = Math.max(0, all.length - maxJournalLines);
    return {
      lines: over ? all.slice(over) : all,
      dropped: old.dropped + over,
      received: old.received + lines.length,
      ended: ended ?? null,
    };
  });
}

/** The viewer's Clear: the lines go, the count of what arrived stays. */
export function clearJournal(qc: QueryClient, followId: string) {
  qc.setQueryData(liveJournalQuery(followId).queryKey, (old = empty) => ({ ...old, lines: [], dropped: 0 }));
}

/** A follow the core says has stopped without telling this tab why (its lease lapsed). */
export function markJournalEnded(qc: QueryClient, followId: string, ended: EndedFollow) {
  qc.setQueryData(liveJournalQuery(followId).queryKey, (old = empty) => (old.ended ? old : { ...old, ended }));
}
