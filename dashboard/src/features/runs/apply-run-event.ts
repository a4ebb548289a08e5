import type { BusEvent } from '@serverbox/core/events';
import type { QueryClient } from '@tanstack/react-query';
import { trpc } from '../../lib/trpc';
import { appendLiveOutput, startLiveNode } from './live-output';
import { isFinal, type RunDetail } from './queries';

type RunEvent = Extract<BusEvent, { topic: 'runs.changed' | 'runs.node' | 'runs.output' }>;

export const isRunEvent = (e: BusEvent): e is RunEvent =>
  e.topic === 'runs.changed' || e.topic === 'runs.node' || e.topic === 'runs.output';

/**
 * What a fleet-run event changes in the cache. Statuses are patched in place at once; when a
 * node or the run ends, runs.get is refetched to reconcile (exit code, error, times and the
 * stored output, which is complete once the node has ended). Output chunks go to the run's
 * live output (live-output.ts). The core publishes a node's last chunks before its end
 * event, on one Redis stream, so they arrive here first.
 */
export function applyRunEvent(qc: QueryClient, e: RunEvent) {
  const { runId } = e.data;
  const one = trpc.runs.get.queryKey({ runId });
  switch (e.topic) {
    case 'runs.changed': {
      const { status, summary } = e.data;
      qc.setQueryData<RunDetail>(one, (old) => old && { ...old, status, summary });
      void qc.invalidateQueries({ queryKey: trpc.runs.list.queryKey() });
      if (status !== 'running') void qc.invalidateQueries({ queryKey: one });
      return;
    }
    case 'runs.node': {
      const { node, status, exitCode, error } = e.data;
      if (status === 'running') startLiveNode(qc, runId, node.id);
      qc.setQueryData<RunDetail>(
        one,
        (old) =>
          old && {
            ...old,
            nodes: old.nodes.map((n) => (n.nodeId === node.id ? { ...n, status, exitCode, error } : n)),
          },
      );
      if (isFinal(status)) void qc.invalidateQueries({ queryKey: one });
      return;
    }
    case 'runs.output':
      appendLiveOutput(qc, runId, e.data.node.id, { stream: e.data.stream, text: e.data.text });
      return;
  }
}
