import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Sql } from 'postgres';
import { createChainVerifier, genesis, type VerifyProblem } from './audit-chain.js';
import type { ReadVerifyBatch, VerifyReader } from './audit-verify.repository.js';

// The walk over the chain behind audit.verify(), in this thread or cut into chunks that
// worker threads verify side by side (docs/benchmarks.md, "Audit log"): the digests of a
// million rows are more than one thread does in the time the goal allows.

export type CheckpointLinks = Map<number, { hash: string; mac: string }>;

export interface ChunkResult {
  problem: VerifyProblem | null;
  checked: number;
  lastSeq: number;
}

/**
 * Verifies rows from..to (to null: to the end of the log), starting from the stored row
 * before `from`. Batches of `batch` rows, the next one requested before this one is checked
 * so PostgreSQL reads and sends while this thread hashes. A chunk that ends before the log
 * does reads the first row after it too: it is the `next` row of the last one's check.
 */
export async function verifyChunk(
  read: VerifyReader,
  key: Buffer,
  checkpoints: CheckpointLinks,
  chunk: { from: number; to: number | null; batch: number; stopped?: () => boolean },
): Promise<ChunkResult> {
  const { from, to, batch } = chunk;
  // A missing row before the chunk is reported by the chunk before it, which comes first.
  const before = from > 1 ? await read.link(from - 1) : null;
  const verifier = createChainVerifier(key, checkpoints, { seq: from - 1, hash: genesis, mac: genesis, ...before });
  const until = to === null ? null : to + 1;
  let checked = 0;
  let problem: VerifyProblem | null = null;
  let last = from - 1;
  let next: Promise<Awaited<ReturnType<ReadVerifyBatch>>> | null = read.batch(last, until, batch);
  while (next) {
    const rows = await next;
    next = null;
    if (rows.length === 0) break;
    last = rows.at(-1)?.[0] ?? last;
    for (const r of rows) if (to === null || r[0] <= to) checked++;
    if (rows.length === batch && !chunk.stopped?.()) {
      next = read.batch(last, until, batch);
      // postgres-js sends a small query from a setImmediate: yield once so it leaves now.
      await new Promise((r) => setImmediate(r));
    }
    problem = verifier.push(rows);
    if (problem) break;
  }
  if (next) await next.catch(() => []); // a prefetched batch nobody needs
  if (!problem && to !== null && last <= to) {
    // The row after `to` is missing: the first one after it, if any, is the next row.
    const after = await read.batch(Math.max(last, to + 1), null, 1);
    if (after.length) problem = verifier.push(after) ?? verifier.settle(to);
    else problem = verifier.finish();
  } else if (!problem) {
    problem = to === null ? verifier.finish() : verifier.settle(to);
  }
  return { problem, checked, lastSeq: verifier.lastSeq };
}

/** Runs one chunk at a time: a worker thread, or this thread. */
interface ChunkRunner {
  run(chunk: { from: number; to: number | null }): Promise<ChunkResult>;
  close(): Promise<void>;
}

/**
 * Chunks of `chunkRows` rows by seq, handed out in order to `lanes` runners; the answer is
 * the first problem of the earliest chunk that has one, known once every chunk before it is
 * done, and no chunk after it is started. Handing chunks out in order (not one range per
 * runner) keeps a problem early in the log an early answer. The last chunk is open-ended,
 * like the sequential walk: rows appended meanwhile are checked too.
 */
export async function verifyInChunks(lastSeq: number, chunkRows: number, runners: ChunkRunner[]): Promise<ChunkResult> {
  const chunks: { from: number; to: number | null }[] = [];
  for (let from = 1; from <= lastSeq; from += chunkRows) {
    const to = from + chunkRows - 1;
    chunks.push({ from, to: to >= lastSeq ? null : to });
  }
  if (chunks.length === 0) chunks.push({ from: 1, to: null });
  const results: (ChunkResult | null)[] = chunks.map(() => null);
  let handedOut = 0;
  let stopAfter = chunks.length - 1;

  const answer = (): ChunkResult | null => {
    let checked = 0;
    for (const r of results) checked += r?.checked ?? 0;
    for (let i = 0; i <= stopAfter; i++) {
      const r = results[i];
      if (!r) return null;
      if (r.problem || i === stopAfter) return { problem: r.problem, checked, lastSeq: r.lastSeq };
    }
    return null;
  };

  try {
    return await new Promise<ChunkResult>((resolve, reject) => {
      const lane = async (runner: ChunkRunner) => {
        while (handedOut <= stopAfter) {
          const index = handedOut++;
          const chunk = chunks[index] as { from: number; to: number | null };
          const r = await runner.run(chunk);
          results[index] = r;
          if (r.problem) stopAfter = Math.min(stopAfter, index);
          const a = answer();
          if (a) return resolve(a);
        }
      };
      for (const runner of runners) lane(runner).catch(reject);
    });
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
}

/** A runner in this thread (PGlite, or the sources run without a build). */
export function inThreadRunner(read: VerifyReader, key: Buffer, checkpoints: CheckpointLinks, batch: number) {
  let closed = false;
  return {
    run: (chunk) => verifyChunk(read, key, checkpoints, { ...chunk, batch, stopped: () => closed }),
    async close() {
      closed = true;
    },
  } satisfies ChunkRunner;
}

const workerFile = new URL('./audit-verify.worker.js', import.meta.url);

/**
 * The connection settings of a postgres-js client, for a worker thread's own connection, or
 * null when they cannot be handed to a thread (a password callback, TLS with callbacks) or
 * the compiled worker is missing (the sources run by the tests: workers need the build).
 */
export function workerConnection(client: Sql | null): Record<string, unknown> | null {
  if (!client || !existsSync(fileURLToPath(workerFile))) return null;
  const o = client.options as unknown as Record<string, unknown>;
  const settings = {
    host: o.host,
    port: o.port,
    path: o.path,
    database: o.database,
    user: o.user,
    pass: o.pass,
    ssl: o.ssl,
    connection: o.connection,
  };
  try {
    return structuredClone(settings);
  } catch {
    return null;
  }
}

/** A runner that is a worker thread with its own connection (audit-verify.worker.ts). */
export function workerRunner(
  connection: Record<string, unknown>,
  key: Buffer,
  checkpoints: CheckpointLinks,
  batch: number,
): ChunkRunner {
  const worker = new Worker(workerFile, {
    workerData: { connection, key, checkpoints: [...checkpoints].map(([seq, c]) => [seq, c.hash, c.mac]), batch },
    // Every row leaves a dozen short-lived strings: a larger young generation collects them
    // in fewer, cheaper scavenges than the default.
    resourceLimits: { maxYoungGenerationSizeMb: 64 },
  });
  let waiting: { resolve: (r: ChunkResult) => void; reject: (e: unknown) => void } | null = null;
  const fail = (err: unknown) => {
    waiting?.reject(err);
    waiting = null;
  };
  worker.on('message', (r: ChunkResult | { error: string }) => {
    if ('error' in r) return fail(new Error(`audit verification worker: ${r.error}`));
    waiting?.resolve(r);
    waiting = null;
  });
  worker.on('error', fail);
  const exited = new Promise((r) => worker.once('exit', r));
  worker.on('exit', (code) => fail(new Error(`audit verification worker exited with ${code}`)));
  return {
    run(chunk) {
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        worker.postMessage(chunk);
      });
    },
    async close() {
      const busy = waiting !== null;
      waiting = null;
      if (!busy) {
        // Idle: let it close its connection (no "connection reset" in PostgreSQL's log).
        worker.postMessage('close');
        const timer = setTimeout(() => void worker.terminate(), 2000);
        await exited;
        clearTimeout(timer);
      } else {
        await worker.terminate(); // a chunk nobody needs any more
      }
    },
  };
}
