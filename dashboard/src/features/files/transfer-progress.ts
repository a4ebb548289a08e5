import type { BusEvent } from '@serverbox/core/events';
import { type QueryClient, queryOptions } from '@tanstack/react-query';

// `files.progress` events of this session's transfers, kept per transfer id in the query
// cache under a client-only key: a download's progress (the browser saves the file itself
// and tells the page nothing) and the node-side end of an upload.

type ProgressEvent = Extract<BusEvent, { topic: 'files.progress' }>;
export type TransferProgress = Omit<ProgressEvent['data'], 'forSession'>;

export const isFileEvent = (e: BusEvent): e is ProgressEvent => e.topic === 'files.progress';

export const transferProgressQuery = (transferId: string) =>
  queryOptions({
    queryKey: ['files.progress', transferId] as const,
    queryFn: (): TransferProgress | null => null,
    initialData: null,
    enabled: false,
    staleTime: Number.POSITIVE_INFINITY,
  });

export function applyFileEvent(qc: QueryClient, e: ProgressEvent) {
  const { forSession: _, ...progress } = e.data;
  qc.setQueryData(transferProgressQuery(progress.transferId).queryKey, progress);
}

/** A transfer id of our own (the core accepts 1-64 of [A-Za-z0-9_-]), to match its events. */
export const newTransferId = () => `ui-${crypto.randomUUID()}`;
