import { type QueryClient, queryOptions } from '@tanstack/react-query';

// A running node's output exists only as `runs.output` events: the core stores it when the
// node finishes. The events are kept here, in the query cache under a client-only key, apart
// from runs.get — a refetch of the run can then never drop or repeat a chunk.

export interface Chunk {
  stream: 'stdout' | 'stderr';
  text: string;
}
export interface LiveNode {
  chunks: Chunk[];
  bytes: number;
  /** This tab saw the node start (its `runs.node` running event), so it holds every chunk since. */
  fromStart: boolean;
  /** Past the core's kept size: the rest is not appended; the stored output is used once it ends. */
  clipped: boolean;
}
export type LiveOutput = Record<string, LiveNode>;

/** The core keeps 256 KiB per node and stops the command beyond; the tab keeps no more. */
const maxBytes = 256 * 1024;

export const liveOutputQuery = (runId: string) =>
  queryOptions({
    queryKey: ['runs.liveOutput', runId] as const,
    queryFn: (): LiveOutput => ({}),
    initialData: {} as LiveOutput,
    // Only events write it: never fetched, never stale.
    enabled: false,
    staleTime: Number.POSITIVE_INFINITY,
  });

const empty = (fromStart: boolean): LiveNode => ({ chunks: [], bytes: 0, fromStart, clipped: false });

/** The node started: from here on this tab receives all of its output. */
export function startLiveNode(qc: QueryClient, runId: string, nodeId: string) {
  qc.setQueryData(liveOutputQuery(runId).queryKey, (old) => ({ ...old, [nodeId]: empty(true) }));
}

export function appendLiveOutput(qc: QueryClient, runId: string, nodeId: string, chunk: Chunk) {
  qc.setQueryData(liveOutputQuery(runId).queryKey, (old) => {
    // No start seen (the page opened mid-run, or an idle entry was collected): not from the start.
    const node = old?.[nodeId] ?? empty(false);
    if (node.clipped) return old;
    const bytes = node.bytes + chunk.text.length;
    if (bytes > maxBytes) return { ...old, [nodeId]: { ...node, clipped: true } };
    const last = node.chunks.at(-1);
    // Consecutive chunks of one stream merge, so a long run stays a handful of spans.
    const chunks =
      last?.stream === chunk.stream
        ? [...node.chunks.slice(0, -1), { stream: last.stream, text: last.text + chunk.text }]
        : [...node.chunks, chunk];
    return { ...old, [nodeId]: { ...node, chunks, bytes } };
  });
}
