import type { AppRouter } from '@serverbox/core/router';
import type { inferRouterOutputs } from '@trpc/server';
import { trpc } from '../../lib/trpc';
import type { Tone } from '../../ui/badge';

type Out = inferRouterOutputs<AppRouter>;
export type Command = Out['commands']['list'][number];
export type CommandParam = Command['params'][number];
export type RunList = Out['runs']['list'];
export type RunListRow = RunList['items'][number];
export type RunDetail = Out['runs']['get'];
export type RunNode = RunDetail['nodes'][number];
export type RunStatus = RunDetail['status'];
export type RunNodeStatus = RunNode['status'];
export type RunSummary = RunDetail['summary'];
export type NodeOption = Out['nodes']['list']['items'][number];
export type NodeStatus = NodeOption['status'];
export interface Targets {
  labels: string[];
  nodeIds: string[];
}

export const runsPageSize = 20;

export const runsListQuery = (page: number) =>
  trpc.runs.list.queryOptions({ limit: runsPageSize, offset: page * runsPageSize });

export const runQuery = (runId: string) => trpc.runs.get.queryOptions({ runId });

/** Every node the target picker offers (the core's page limit; a larger fleet is picked by label). */
export const targetNodesQuery = () => trpc.nodes.list.queryOptions({ limit: 200, offset: 0 });

export const isFinal = (s: RunNodeStatus) => s === 'succeeded' || s === 'failed' || s === 'cancelled';

export const runStatusMeta: Record<RunNodeStatus, { label: string; tone: Tone }> = {
  queued: { label: 'Queued', tone: 'neutral' },
  running: { label: 'Running', tone: 'accent' },
  succeeded: { label: 'Succeeded', tone: 'green' },
  failed: { label: 'Failed', tone: 'red' },
  cancelled: { label: 'Cancelled', tone: 'amber' },
};

export const nodeStatusTone: Record<NodeStatus, Tone> = {
  pending: 'neutral',
  online: 'green',
  degraded: 'amber',
  offline: 'red',
  quarantined: 'red',
};

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "2 ok · 1 failed · 1 running", leaving out what is zero (but never saying nothing). */
export function summaryText(s: RunSummary): string {
  const parts = [
    s.succeeded ? `${s.succeeded} ok` : '',
    s.failed ? `${s.failed} failed` : '',
    s.running ? `${s.running} running` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : `${plural(s.total, 'node')}`;
}

/** The summary as the run page's nodes say it now (live node events patch their statuses). */
export function summaryOf(nodes: readonly { status: RunNodeStatus }[]): RunSummary {
  const count = (f: (s: RunNodeStatus) => boolean) => nodes.filter((n) => f(n.status)).length;
  return {
    total: nodes.length,
    succeeded: count((s) => s === 'succeeded'),
    failed: count((s) => s === 'failed' || s === 'cancelled'),
    running: count((s) => s === 'running' || s === 'queued'),
  };
}

/** The nodes a choice of labels and nodes reaches, as the core resolves it (either matches). */
export function matchingNodes(nodes: readonly NodeOption[], t: Targets): NodeOption[] {
  return nodes.filter((n) => t.nodeIds.includes(n.id) || n.labels.some((l) => t.labels.includes(l)));
}
