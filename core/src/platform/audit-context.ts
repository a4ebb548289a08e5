import { AsyncLocalStorage } from 'node:async_hooks';

// The audit record of the request in flight. The tRPC audit middleware opens it; services
// may describe who acted on what (annotateAudit) without knowing about HTTP; and the
// database wrapper appends the record inside the first transaction that commits the
// change, so the change and its audit row stand or fall together.

export interface AuditActorRef {
  type: 'user' | 'guest' | 'token' | 'system' | 'anonymous';
  id: string | null;
  name: string;
}

export interface AuditScope {
  action: string;
  actor: AuditActorRef;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  target: { type: string; id: string | null; name: string | null } | null;
  details: Record<string, unknown> | null;
  /** Set once the row is written (inside a transaction or by the middleware afterwards). */
  recorded: boolean;
  afterCommit: (() => void)[];
}

export const auditContext = new AsyncLocalStorage<AuditScope>();

/** Lets a service say who acted and on what, for the audit row of the current request. */
export function annotateAudit(note: {
  actor?: AuditActorRef;
  target?: AuditScope['target'];
  details?: Record<string, unknown>;
}): void {
  const scope = auditContext.getStore();
  if (!scope) return;
  if (note.actor) scope.actor = note.actor;
  if (note.target) scope.target = note.target;
  if (note.details) scope.details = { ...scope.details, ...note.details };
}

const secretKey = /pass|token|secret|code|key|cookie|authorization/i;

/** A copy safe to store: secrets replaced, long strings cut, depth and size bounded. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > 500 ? `${value.slice(0, 500)}…` : value;
  if (depth > 4) return '[nested]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, 50)) {
      out[k] = secretKey.test(k) ? '[redacted]' : redact(v, depth + 1);
    }
    return out;
  }
  return undefined;
}
