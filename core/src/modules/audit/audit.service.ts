import { sign, verify as verifySignature } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { NotFoundError } from '../../errors.js';
import type { AuditScope } from '../../platform/audit-context.js';
import type { Database } from '../../platform/db/client.js';
import type { EventBus } from '../../platform/events/bus.js';
import type { SigningKey } from '../../platform/keys.js';
import type { Logger } from '../../platform/logger.js';
import type { AuditFilter, AuditRepository } from './audit.repository.js';
import { type AuditEntry, type Checkpoint, checkpointMessage, type VerifyProblem } from './audit-chain.js';
import {
  type CheckpointLinks,
  inThreadRunner,
  verifyChunk,
  verifyInChunks,
  workerConnection,
  workerRunner,
} from './audit-verify.js';

export type AuditRow = Omit<AuditEntry, 'seq'> & { seq: number };
export type Outcome = AuditEntry['outcome'];

// Smaller batches, the next one requested before the current one is checked: PostgreSQL
// reads and sends while this process hashes, and the event loop is never held for long.
const verifyBatch = 2_000;

export function createAuditService(d: {
  db: Database;
  repo: AuditRepository;
  macKey: Buffer;
  signingKey: SigningKey;
  bus: EventBus;
  log: Logger;
  checkpointEveryRows: number;
  checkpointEveryMinutes: number;
  checkpointSink?: string;
  /**
   * Verification in parallel: `workers` threads (default: up to 2, one per core) taking
   * `chunkRows`-row chunks in order; `inThreadChunks` runs the chunk logic in this thread
   * where workers cannot run (tests on the sources).
   */
  verify?: { workers?: number; chunkRows?: number; batchRows?: number; inThreadChunks?: boolean };
}) {
  let lastCheckpointSeq = -1;
  let checkpointing: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  let verifying: Promise<unknown> = Promise.resolve();
  const lanes = d.verify?.workers ?? Math.min(2, availableParallelism());
  const chunkRows = d.verify?.chunkRows ?? 50_000;
  const batchRows = d.verify?.batchRows ?? verifyBatch;

  const entryOf = (s: AuditScope, outcome: Outcome): Omit<AuditEntry, 'seq'> => ({
    at: new Date().toISOString(),
    actor: s.actor,
    ip: s.ip,
    userAgent: s.userAgent?.slice(0, 300) ?? null,
    action: s.action,
    target: s.target,
    outcome,
    details: s.details,
    requestId: s.requestId,
  });

  function afterAppend(rows: { seq: number; canon: string }[]) {
    for (const r of rows) {
      d.bus.publish('audit.appended', rowOf(r.canon)).catch(() => {});
    }
    const last = rows.at(-1)?.seq ?? 0;
    if (lastCheckpointSeq >= 0 && last - lastCheckpointSeq >= d.checkpointEveryRows) void queueCheckpoint();
  }

  async function append(entries: Omit<AuditEntry, 'seq'>[], tx?: Database) {
    if (tx) return d.repo.append(tx, entries, d.macKey);
    return d.repo.appendAlone(entries, d.macKey);
  }

  function queueCheckpoint() {
    checkpointing = checkpointing.then(checkpoint).catch((err) => d.log.error({ err }, 'audit checkpoint failed'));
    return checkpointing;
  }

  async function checkpoint(): Promise<Checkpoint | null> {
    const head = await d.repo.head();
    const last = await d.repo.lastCheckpoint();
    lastCheckpointSeq = last?.seq ?? 0;
    if (!head || head.seq <= lastCheckpointSeq) return null;
    const c = { seq: head.seq, hash: head.hash, mac: head.mac, at: new Date().toISOString() };
    const signature = sign(null, checkpointMessage(c), d.signingKey.privateKey).toString('base64');
    const cp = { ...c, signature };
    await d.repo.insertCheckpoint({ ...cp, keyFingerprint: d.signingKey.fingerprint });
    lastCheckpointSeq = head.seq;
    d.bus.publish('audit.checkpointed', { seq: cp.seq, at: cp.at }).catch(() => {});
    if (d.checkpointSink)
      await pushToSink(d.checkpointSink, cp).catch((err) => d.log.warn({ err: String(err) }, 'checkpoint sink failed'));
    return cp;
  }

  async function pushToSink(sink: string, cp: Checkpoint) {
    const line = JSON.stringify({ ...cp, publicKey: d.signingKey.fingerprint });
    if (/^https?:\/\//.test(sink)) {
      const res = await fetch(sink, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: line,
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) throw new Error(`sink answered ${res.status}`);
    } else {
      await appendFile(sink, `${line}\n`, { mode: 0o600 });
    }
  }

  async function verifyNow() {
    const t0 = performance.now();
    const cps = await d.repo.checkpoints();
    let problem: VerifyProblem | null = null;
    // Oldest first, so the first bad signature reported is the earliest. A thousand of them
    // take ~50 ms: let other requests in every hundred.
    for (const [i, cp] of [...cps].reverse().entries()) {
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
      const ok = verifySignature(
        null,
        checkpointMessage(cp),
        d.signingKey.publicKey,
        Buffer.from(cp.signature, 'base64'),
      );
      if (!ok) {
        problem = { seq: cp.seq, reason: 'signature invalid', message: `checkpoint #${cp.seq} has a bad signature` };
        break;
      }
    }
    let checked = 0;
    let lastSeq = 0;
    if (!problem) ({ problem, checked, lastSeq } = await walkChain(new Map(cps.map((c) => [c.seq, c]))));
    const lastCp = cps[0] ?? null;
    if (!problem && lastCp && lastCp.seq > lastSeq) {
      problem = {
        seq: lastSeq + 1,
        reason: 'truncated',
        message: `signed checkpoint #${lastCp.seq} vouches for rows up to ${lastCp.seq}, but the log ends at ${lastSeq}`,
      };
    }
    return {
      ok: problem === null,
      checkedRows: checked,
      lastSeq,
      problem,
      checkpoints: { count: cps.length, lastSeq: lastCp?.seq ?? null, lastAt: lastCp?.at ?? null },
      tail: lastCp ? Math.max(0, lastSeq - lastCp.seq) : lastSeq,
      durationMs: Math.round(performance.now() - t0),
    };
  }

  /**
   * The chain after the checkpoints' signatures: in worker threads with their own
   * connections when the log is long enough to be worth them (postgres-js only), else here.
   */
  async function walkChain(checkpoints: CheckpointLinks) {
    const reader = d.repo.verifyReader();
    const head = (await d.repo.head())?.seq ?? 0;
    const connection = lanes > 1 && head > chunkRows ? workerConnection(d.repo.postgresClient()) : null;
    if (connection) {
      const runners = Array.from({ length: Math.min(lanes, Math.ceil(head / chunkRows)) }, () =>
        workerRunner(connection, d.macKey, checkpoints, batchRows),
      );
      return verifyInChunks(head, chunkRows, runners);
    }
    if (d.verify?.inThreadChunks) {
      const runners = [inThreadRunner(reader, d.macKey, checkpoints, batchRows)];
      return verifyInChunks(head, chunkRows, runners);
    }
    return verifyChunk(reader, d.macKey, checkpoints, { from: 1, to: null, batch: batchRows });
  }

  return {
    /** Writes the record of a request (or named event) — in `tx` when given, else in its own. */
    async record(scope: AuditScope, outcome: Outcome, tx?: Database) {
      const rows = await append([entryOf(scope, outcome)], tx);
      scope.recorded = true;
      if (tx) scope.afterCommit.push(() => afterAppend(rows));
      else afterAppend(rows);
    },

    /** Appends many entries in one transaction (system events, benchmarks). */
    async recordMany(entries: Omit<AuditEntry, 'seq'>[]) {
      const rows = await append(entries);
      afterAppend(rows);
      return rows.length;
    },

    /** Appends that took one round trip and those that read the head under the lock. */
    appendStats: () => ({ ...d.repo.stats }),

    async list(f: AuditFilter) {
      const rows = await d.repo.page(f);
      return {
        rows: rows.map((r) => rowOf(r.canon)),
        nextCursor: rows.length === f.limit ? (rows.at(-1)?.seq ?? null) : null,
      };
    },

    async bySeq(seq: number) {
      const row = await d.repo.bySeq(seq);
      if (!row) throw new NotFoundError(`No audit row #${seq}.`);
      return { ...rowOf(row.canon), canon: row.canon, hash: row.hash, mac: row.mac };
    },

    checkpoint: queueCheckpoint,

    async checkpoints() {
      const list = await d.repo.checkpoints(50);
      return {
        publicKey: d.signingKey.publicPem,
        fingerprint: d.signingKey.fingerprint,
        checkpoints: list.map(({ seq, hash, mac, at, signature }) => ({ seq, hash, mac, at, signature })),
      };
    },

    publicKey() {
      return {
        algorithm: 'Ed25519' as const,
        publicKey: d.signingKey.publicPem,
        fingerprint: d.signingKey.fingerprint,
      };
    },

    /** Walks the whole chain; reports the first bad row and the unsigned tail. One at a time. */
    verify() {
      const run = verifying.then(verifyNow, verifyNow);
      verifying = run.catch(() => {});
      return run;
    },

    /** An export bundle as JSONL lines: header, rows, checkpoints (verifiable offline). */
    async *exportBundle(range: { from?: Date; to?: Date }): AsyncGenerator<string> {
      const { first, last } = await d.repo.seqRange(range.from, range.to);
      const prev = first && first > 1 ? await d.repo.bySeq(first - 1) : null;
      yield `${JSON.stringify({
        type: 'header',
        format: 'serverbox-audit-bundle/1',
        exportedAt: new Date().toISOString(),
        from: range.from?.toISOString() ?? null,
        to: range.to?.toISOString() ?? null,
        firstSeq: first,
        lastSeq: last,
        prevHash: prev?.hash ?? null,
        algorithm: 'Ed25519',
        publicKey: d.signingKey.publicPem,
        fingerprint: d.signingKey.fingerprint,
      })}\n`;
      if (first !== null && last !== null) {
        let after = first - 1;
        for (;;) {
          const rows = await d.repo.batch(after, verifyBatch, last);
          if (rows.length === 0) break;
          after = rows.at(-1)?.seq ?? after;
          const lines = rows.map((r) =>
            JSON.stringify({ type: 'row', seq: r.seq, canon: r.canon, hash: r.hash, mac: r.mac }),
          );
          yield `${lines.join('\n')}\n`;
        }
      }
      for (const c of (await d.repo.checkpoints()).reverse()) {
        if (first !== null && last !== null && c.seq >= first && c.seq <= last) {
          yield `${JSON.stringify({ type: 'checkpoint', seq: c.seq, hash: c.hash, mac: c.mac, at: c.at, signature: c.signature })}\n`;
        }
      }
    },

    async start() {
      lastCheckpointSeq = (await d.repo.lastCheckpoint())?.seq ?? 0;
      timer = setInterval(() => void queueCheckpoint(), d.checkpointEveryMinutes * 60_000);
      timer.unref();
    },

    async stop() {
      if (timer) clearInterval(timer);
      await checkpointing;
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;

export function rowOf(canon: string): AuditRow {
  const e = JSON.parse(canon) as AuditEntry;
  return { ...e };
}
