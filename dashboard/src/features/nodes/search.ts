import { type NodeFilters, statuses } from './queries';

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 100) : undefined);

/** The node list's URL: only valid filters come out (a typo drops, not breaks, a filter). */
export function parseNodesSearch(search: Record<string, unknown>): NodeFilters {
  const out: NodeFilters = {};
  const q = text(search.search);
  const label = text(search.label);
  const status = statuses.find((s) => s === search.status);
  const offset = Number(search.offset);
  if (q) out.search = q;
  if (label) out.label = label.toLowerCase();
  if (status) out.status = status;
  if (Number.isSafeInteger(offset) && offset > 0) out.offset = offset;
  return out;
}

/** The add-node flow's URL: the node being set up, once it exists (a reload resumes there). */
export function parseAddNodeSearch(search: Record<string, unknown>): { node?: string } {
  const node = text(search.node);
  return node && /^[0-9a-f-]{36}$/i.test(node) ? { node } : {};
}

export const nodeTabs = ['overview', 'services', 'files'] as const;
export type NodeTab = (typeof nodeTabs)[number];
export interface NodePageSearch {
  tab?: Exclude<NodeTab, 'overview'>;
  /** The unit open on the Services tab. */
  unit?: string;
}

/** The node page's URL: which tab, and which unit is open on Services (linkable). */
export function parseNodePageSearch(search: Record<string, unknown>): NodePageSearch {
  const out: NodePageSearch = {};
  if (search.tab === 'services' || search.tab === 'files') out.tab = search.tab;
  const unit = text(search.unit);
  if (out.tab === 'services' && unit) out.unit = unit;
  return out;
}
