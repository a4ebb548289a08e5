import { createHmac, createSecretKey, hash, type KeyObject, timingSafeEqual } from 'node:crypto';
import canonicalize from 'canonicalize';

// The math of the tamper-evident audit chain, free of I/O so the offline bundle verifier
// and the database verifier share it.
//
//   canon = RFC 8785 JSON of the entry (seq included)
//   hash  = SHA-256(prev_hash ‖ seq ‖ canon)        anyone can check it (offline bundles)
//   mac   = HMAC-SHA256(K_audit, prev_mac ‖ seq ‖ canon)   only the core can make it
//
// Someone with write access to the database can recompute hashes but not MACs; someone
// who also steals K_audit is still caught by the Ed25519-signed checkpoints, whose
// private key never enters the database.

export const genesis = '0'.repeat(64);

export interface AuditEntry {
  seq: number;
  at: string;
  actor: { type: 'user' | 'guest' | 'token' | 'system' | 'anonymous'; id: string | null; name: string };
  ip: string | null;
  userAgent: string | null;
  action: string;
  target: { type: string; id: string | null; name: string | null } | null;
  outcome: 'success' | 'failure' | 'denied';
  details: Record<string, unknown> | null;
  requestId: string | null;
}

export interface ChainedRow {
  seq: number;
  canon: string;
  hash: string;
  mac: string;
}

export function canonOf(entry: AuditEntry): string {
  const text = canonicalize(entry);
  if (text === undefined) throw new Error('audit entry cannot be canonicalized');
  return text;
}

const frame = (prev: string, seq: number, canon: string) => `${prev}\n${seq}\n${canon}`;

// One-shot hashing and a KeyObject made once per key: the same digests, faster than a
// Hash/Hmac object built around a raw key for every row (docs/benchmarks.md).
export function chainHash(prevHash: string, seq: number, canon: string): string {
  return hash('sha256', frame(prevHash, seq, canon), 'hex');
}

export function chainMac(key: Buffer | KeyObject, prevMac: string, seq: number, canon: string): string {
  return createHmac('sha256', key)
    .update(frame(prevMac, seq, canon))
    .digest('hex');
}

export function link(prev: { hash: string; mac: string }, entry: AuditEntry, key: Buffer): ChainedRow {
  const canon = canonOf(entry);
  return {
    seq: entry.seq,
    canon,
    hash: chainHash(prev.hash, entry.seq, canon),
    mac: chainMac(key, prev.mac, entry.seq, canon),
  };
}

export interface Checkpoint {
  seq: number;
  hash: string;
  mac: string;
  at: string;
  signature: string; // base64 Ed25519 over checkpointMessage()
}

export function checkpointMessage(c: Pick<Checkpoint, 'seq' | 'hash' | 'mac' | 'at'>): Buffer {
  return Buffer.from(canonicalize({ at: c.at, hash: c.hash, mac: c.mac, seq: c.seq }) ?? '', 'utf8');
}

export type BadReason = 'missing' | 'reordered' | 'edited' | 'inserted' | 'signature invalid' | 'truncated';

export interface VerifyProblem {
  seq: number;
  reason: BadReason;
  message: string;
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The filterable columns kept beside the canonical text (details live only in the text). */
export interface AuditColumns {
  at: string;
  actorType: string;
  actorId: string | null;
  actorName: string;
  ip: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: AuditEntry['outcome'];
}

export function columnsOf(e: AuditEntry): AuditColumns {
  return {
    at: e.at,
    actorType: e.actor.type,
    actorId: e.actor.id,
    actorName: e.actor.name,
    ip: e.ip,
    action: e.action,
    targetType: e.target?.type ?? null,
    targetId: e.target?.id ?? null,
    outcome: e.outcome,
  };
}

function columnsDiffer(a: AuditColumns, b: AuditColumns): string | null {
  for (const k of Object.keys(a) as (keyof AuditColumns)[]) if (a[k] !== b[k]) return k;
  return null;
}

export type VerifiableRow = ChainedRow & { columns: AuditColumns | null };

/**
 * Walks rows in seq order, batch by batch, and stops at the first bad one. `key` is null
 * offline: then only the public hash chain and the signed checkpoints are checked.
 * `checkpoints` maps seq → the (hash, mac) a signed checkpoint vouches for.
 */
export function createChainVerifier(rawKey: Buffer | null, checkpoints: Map<number, { hash: string; mac: string }>) {
  const key = rawKey ? createSecretKey(rawKey) : null;
  let expected = 1;
  let prevHash = genesis;
  let prevMac = genesis;
  let pending: VerifiableRow | null = null;
  let problem: VerifyProblem | null = null;

  const seqIn = (canon: string): unknown => {
    try {
      return (JSON.parse(canon) as { seq?: unknown }).seq;
    } catch {
      return undefined;
    }
  };

  function check(row: VerifiableRow, next: VerifiableRow | null): VerifyProblem | null {
    if (row.seq > expected) {
      return { seq: expected, reason: 'missing', message: `rows ${expected}..${row.seq - 1} are missing` };
    }
    if (row.seq < expected)
      return { seq: row.seq, reason: 'reordered', message: `row ${row.seq} appears out of order` };
    let parsed: AuditEntry;
    try {
      parsed = JSON.parse(row.canon) as AuditEntry;
    } catch {
      return { seq: row.seq, reason: 'edited', message: 'stored canonical text is not JSON' };
    }
    if (parsed.seq !== row.seq) {
      return {
        seq: row.seq,
        reason: 'reordered',
        message: `row ${row.seq} holds the entry written as ${String(parsed.seq)}`,
      };
    }
    const differs = row.columns && columnsDiffer(columnsOf(parsed), row.columns);
    if (differs)
      return { seq: row.seq, reason: 'edited', message: `column ${differs} differs from the authenticated text` };
    if (!same(chainHash(prevHash, row.seq, row.canon), row.hash)) {
      return { seq: row.seq, reason: 'edited', message: 'hash chain broken: content or order changed' };
    }
    if (key && !same(chainMac(key, prevMac, row.seq, row.canon), row.mac)) {
      // The public hash was recomputed, so whoever wrote this row lacked the audit key.
      // If the next row was first written at this position, rows were shifted to make room.
      const inserted = next !== null && seqIn(next.canon) === row.seq;
      return {
        seq: row.seq,
        reason: inserted ? 'inserted' : 'edited',
        message: inserted ? 'row was inserted without the audit key' : 'row was rewritten without the audit key',
      };
    }
    const cp = checkpoints.get(row.seq);
    if (cp && (cp.hash !== row.hash || cp.mac !== row.mac)) {
      return { seq: row.seq, reason: 'edited', message: 'row differs from what its signed checkpoint vouches for' };
    }
    return null;
  }

  return {
    /** Feed rows in seq order. Returns the first problem once found. */
    push(rows: VerifiableRow[]): VerifyProblem | null {
      for (const row of rows) {
        if (problem) return problem;
        if (pending) {
          problem = check(pending, row);
          if (!problem) {
            prevHash = pending.hash;
            prevMac = pending.mac;
            expected = pending.seq + 1;
          }
        }
        pending = row;
      }
      return problem;
    },
    /** Call after the last batch. */
    finish(): VerifyProblem | null {
      if (!problem && pending) {
        problem = check(pending, null);
        if (!problem) expected = pending.seq + 1;
        pending = null;
      }
      return problem;
    },
    /** The highest seq verified so far. */
    get lastSeq() {
      return expected - 1;
    },
  };
}
