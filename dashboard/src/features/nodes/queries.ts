import type { AppRouter } from '@serverbox/core/router';
import { keepPreviousData } from '@tanstack/react-query';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { trpc } from '../../lib/trpc';
import type { Tone } from '../../ui/badge';

type Out = inferRouterOutputs<AppRouter>['nodes'];
type In = inferRouterInputs<AppRouter>['nodes'];
export type NodeList = Out['list'];
export type NodeRow = NodeList['items'][number];
export type NodeDetail = Out['get'];
export type NodeStatus = NodeRow['status'];
export type NodeFacts = NonNullable<NodeRow['facts']>;
export type PoolStats = Out['poolStats'];
export type NodeCreated = Out['create'];
export type NodePublicKey = Out['publicKey'];
export type OfferedHostKey = NonNullable<NodeRow['offeredHostKey']>;
export type NodeCreateInput = In['create'];
export type Credential = NonNullable<NodeCreateInput['credential']>;
/** What adding and editing share: everything but the id, the credential and the host key. */
export type NodeFieldsInput = Omit<In['update'], 'id'>;

export const statuses = ['online', 'degraded', 'offline', 'pending', 'quarantined'] as const satisfies NodeStatus[];

/** Colour and words for each status: the text says it, the colour only repeats it. */
export const statusMeta: Record<NodeStatus, { label: string; tone: Tone; meaning: string }> = {
  online: { label: 'Online', tone: 'green', meaning: 'Answering over SSH.' },
  degraded: { label: 'Degraded', tone: 'amber', meaning: 'Slow, or missed its last health check.' },
  offline: { label: 'Offline', tone: 'red', meaning: 'Not reachable right now.' },
  pending: {
    label: 'Pending',
    tone: 'accent',
    meaning: 'Waiting for its first connection or a host key confirmation.',
  },
  quarantined: {
    label: 'Quarantined',
    tone: 'red',
    meaning: 'Its host key changed: nothing connects until an admin reviews it.',
  },
};

export interface NodeFilters {
  search?: string;
  status?: NodeStatus;
  label?: string;
  offset?: number;
}

export const pageSize = 25;

/** One page of the node list; the previous page stays on screen while the next loads. */
export const nodesListQuery = (f: NodeFilters) =>
  trpc.nodes.list.queryOptions(
    { search: f.search, status: f.status, label: f.label, limit: pageSize, offset: f.offset ?? 0 },
    { placeholderData: keepPreviousData },
  );

/** Every node (for the jump host choice): the core caps a page at 200. */
export const allNodesQuery = () => trpc.nodes.list.queryOptions({ limit: 200, offset: 0 });

export const nodeQuery = (id: string) => trpc.nodes.get.queryOptions({ id });

// ---- formatting ---------------------------------------------------------------------------

const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 8_254_390_272 → "7.7 GiB". */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < byteUnits.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${byteUnits[u]}`;
}

/** Round trips under 10 ms keep a decimal: on a LAN that is the interesting part. */
export function formatRtt(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

export const osText = (f: NodeFacts | null | undefined) => f?.os ?? null;

/** "a, b c,d" → ["a", "b", "c", "d"]: what a person types in the labels field. */
export const parseLabels = (text: string) => [
  ...new Set(
    text
      .split(/[\s,]+/)
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean),
  ),
];
