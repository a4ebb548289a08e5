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

/** The MAC as bytes, for comparing in constant time without decoding two hex strings. */
export function chainMacBytes(key: KeyObject, prevMac: string, seq: number, canon: string): Buffer {
  return createHmac('sha256', key)
    .update(frame(prevMac, seq, canon))
    .digest();
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

/** The columns of a verifiable row after seq, canon, hash and mac, in this order. */
export const verifiedColumns = [
  'at',
  'actorType',
  'actorId',
  'actorName',
  'ip',
  'action',
  'targetType',
  'targetId',
  'outcome',
] as const satisfies readonly (keyof AuditColumns)[];

/**
 * A row as verification reads it: an array, not an object (no per-row object to build and
 * collect, docs/benchmarks.md): seq, canon, hash, mac, then the `verifiedColumns` in order
 * with `at` as the ISO text the entry holds. Offline (bundles) the columns are absent.
 */
export type VerifiableRow = readonly [
  seq: number,
  canon: string,
  hash: string,
  mac: string,
  ...columns: (string | null)[],
];

function columnsDiffer(e: AuditEntry, row: VerifiableRow): string | null {
  let c: AuditColumns;
  try {
    c = columnsOf(e);
  } catch {
    return 'actor'; // authenticated text that is not an audit entry at all
  }
  for (let i = 0; i < verifiedColumns.length; i++) {
    const k = verifiedColumns[i] as keyof AuditColumns;
    if (c[k] !== row[4 + i]) return k;
  }
  return null;
}

const missing = (from: number, to: number): VerifyProblem => ({
  seq: from,
  reason: 'missing',
  message: `rows ${from}..${to} are missing`,
});

/**
 * Walks rows in seq order, batch by batch, and stops at the first bad one. `key` is null
 * offline: then only the public hash chain and the signed checkpoints are checked.
 * `checkpoints` maps seq → the (hash, mac) a signed checkpoint vouches for. `start` is the
 * stored row just before the first one fed (a chunk verified on its own, in parallel with
 * the others: if that row is bad, the chunk before reports it).
 */
export function createChainVerifier(
  rawKey: Buffer | null,
  checkpoints: Map<number, { hash: string; mac: string }>,
  start: { seq: number; hash: string; mac: string } = { seq: 0, hash: genesis, mac: genesis },
) {
  const key = rawKey ? createSecretKey(rawKey) : null;
  let expected = start.seq + 1;
  let prevHash = start.hash;
  let prevMac = start.mac;
  let pending: VerifiableRow | null = null;
  let problem: VerifyProblem | null = null;

  const seqIn = (canon: string): unknown => {
    try {
      return (JSON.parse(canon) as { seq?: unknown }).seq;
    } catch {
      return undefined;
    }
  };

  // The MAC is compared as bytes in constant time; the hash is public, compared as text.
  const macMatches = (mac: Buffer, stored: string) => {
    if (stored.length !== 64) return false;
    const bytes = Buffer.from(stored, 'hex');
    return bytes.length === 32 && timingSafeEqual(mac, bytes);
  };

  function check(row: VerifiableRow, next: VerifiableRow | null): VerifyProblem | null {
    const [seq, canon, hash, mac] = row;
    if (seq > expected) return missing(expected, seq - 1);
    if (seq < expected) return { seq, reason: 'reordered', message: `row ${seq} appears out of order` };
    let parsed: AuditEntry;
    try {
      parsed = JSON.parse(canon) as AuditEntry;
    } catch {
      return { seq, reason: 'edited', message: 'stored canonical text is not JSON' };
    }
    if (parsed?.seq !== seq) {
      return { seq, reason: 'reordered', message: `row ${seq} holds the entry written as ${String(parsed?.seq)}` };
    }
    const differs = row.length > 4 && columnsDiffer(parsed, row);
    if (differs) return { seq, reason: 'edited', message: `column ${differs} differs from the authenticated text` };
    if (chainHash(prevHash, seq, canon) !== hash) {
      return { seq, reason: 'edited', message: 'hash chain broken: content or order changed' };
    }
    if (key && !macMatches(chainMacBytes(key, prevMac, seq, canon), mac)) {
      // The public hash was recomputed, so whoever wrote this row lacked the audit key.
      // If the next row was first written at this position, rows were shifted to make room.
      const inserted = next !== null && seqIn(next[1]) === seq;
      return {
        seq,
        reason: inserted ? 'inserted' : 'edited',
        message: inserted ? 'row was inserted without the audit key' : 'row was rewritten without the audit key',
      };
    }
    const cp = checkpoints.get(seq);
    if (cp && (cp.hash !== hash || cp.mac !== mac)) {
      return { seq, reason: 'edited', message: 'row differs from what its signed checkpoint vouches for' };
    }
    return null;
  }

  return {
    /** Feed rows in seq order. Returns the first problem once found. */
    push(rows: readonly VerifiableRow[]): VerifyProblem | null {
      for (const row of rows) {
        if (problem) return problem;
        if (pending) {
          problem = check(pending, row);
          if (!problem) {
            prevHash = pending[2];
            prevMac = pending[3];
            expected = pending[0] + 1;
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
        if (!problem) expected = pending[0] + 1;
        pending = null;
      }
      return problem;
    },
    /**
     * Call instead of finish() at the end of a chunk that is not the end of the log, after
     * feeding the first row past it (checked by the next chunk, it only serves as `next`):
     * reports rows missing up to `last`, the chunk's last seq.
     */
    settle(last: number): VerifyProblem | null {
      if (!problem && (pending === null || pending[0] > expected) && expected <= last) {
        problem = missing(expected, (pending?.[0] ?? last + 1) - 1);
      }
      return problem;
    },
    /** The highest seq verified so far. */
    get lastSeq() {
      return expected - 1;
    },
  };
}
