import { type AuditFilters, outcomes } from './queries';

/** The audit page's URL: its filters, and the row whose details are open. */
export interface AuditSearch extends AuditFilters {
  seq?: number;
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined);

const instant = (v: unknown) => {
  const s = text(v);
  const ms = s ? Date.parse(s) : Number.NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
};

/** Whatever the address bar holds, only valid filters come out (a typo drops, not breaks, a filter). */
export function parseAuditSearch(search: Record<string, unknown>): AuditSearch {
  const out: AuditSearch = {};
  const actor = text(search.actor);
  const action = text(search.action);
  const target = text(search.target);
  const outcome = outcomes.find((o) => o === search.outcome);
  const from = instant(search.from);
  const to = instant(search.to);
  const seq = Number(search.seq);
  if (actor) out.actor = actor;
  if (action) out.action = action;
  if (target) out.target = target;
  if (outcome) out.outcome = outcome;
  if (from) out.from = from;
  if (to) out.to = to;
  if (Number.isSafeInteger(seq) && seq > 0) out.seq = seq;
  return out;
}
