// What-ifs for the audit log: proposed versions of the core's audit code, copied here so their
// effect can be measured beside the current code before anyone changes core/src. Each one
// keeps the current semantics (same chain, same problems reported) and says which file it
// would replace code in. They use the core's own modules from core/dist for everything else.
import {
  createHmac,
  createSecretKey,
  hash as oneShotHash,
  timingSafeEqual,
  verify as verifySignature,
} from 'node:crypto';
import { fromCore } from './audit.mjs';

const chain = await fromCore('modules/audit/audit-chain.js');
const { auditEvents } = await fromCore('modules/audit/audit.tables.js');
const { createAuditRepository } = await fromCore('modules/audit/audit.repository.js');
const { and, asc, desc, gt, lte, sql } = await import('drizzle-orm');
const { Worker } = await import('node:worker_threads');

// ---------------------------------------------------------------------------------------------
// Verification: audit.service.ts verify() + audit.repository.ts batch() + audit-chain.ts
// createChainVerifier(), with the proposed changes switchable one by one:
//
//   fetch: 'current'   drizzle select() of every column, Date for `at` (as now)
//          'prepared'  drizzle select() of the 13 columns with `at` as ISO text made by
//                      PostgreSQL (to_char), `.prepare()`d with placeholders: one round trip,
//                      no Date parsing (portable: works on PGlite too)
//          'raw'       the same SQL through postgres-js `.values()` (arrays, no row objects)
//   batch:             rows per round trip (now 10,000)
//   prefetch:          ask for the next batch before checking this one, so PostgreSQL reads
//                      and sends it on the other core while Node hashes
//   hashing: 'module' audit-chain.js chainHash()/chainMac(), compared via Buffer.from() copies
//                     and timingSafeEqual (as now)
//            'fast'   the same digests computed with less overhead: SHA-256 with the one-shot
//                     crypto.hash() (no Hash object per row), HMAC with a KeyObject made once;
//                     the (public) hash compared as hex, the MAC as bytes with timingSafeEqual
//   workers:           1 = in this thread; n > 1 = n worker threads (audit-verify-worker.mjs),
//                      each with its own connection, taking `chunk`-row pieces in seq order

const verifyColumns = [
  'seq',
  'canon',
  'hash',
  'mac',
  'at',
  'actor_type',
  'actor_id',
  'actor_name',
  'ip',
  'action',
  'target_type',
  'target_id',
  'outcome',
];
const atText = `to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export const currentVerifyOptions = { fetch: 'current', batch: 10_000, prefetch: false, hashing: 'module', workers: 1 };
export const proposedVerifyOptions = {
  fetch: 'prepared',
  batch: 2_000,
  prefetch: true,
  hashing: 'fast',
  workers: 1,
  chunk: 50_000,
};

/**
 * Rows with after < seq <= until (until: null = to the end) as arrays in verifyColumns order
 * with `at` as ISO text, `batch` at a time. `db` is the drizzle database, `client` a postgres-js one.
 */
export function makeFetcher(kind, { db, client, batch }) {
  const repo = db ? createAuditRepository(db) : null;
  const until = (u) => (u === null || u === undefined ? Number.MAX_SAFE_INTEGER : u);
  if (kind === 'raw') {
    const text = `select ${verifyColumns.map((c) => (c === 'at' ? atText : c)).join(', ')} from audit_events
                  where seq > $1 and seq <= $2 order by seq limit $3`;
    return async (after, u) => {
      const rows = await client.unsafe(text, [after, until(u), batch], { prepare: true }).values();
      for (const r of rows) r[0] = Number(r[0]); // int8 arrives as text
      return rows;
    };
  }
  if (kind === 'prepared') {
    const q = db
      .select({
        seq: auditEvents.seq,
        canon: auditEvents.canon,
        hash: auditEvents.hash,
        mac: auditEvents.mac,
        at: sql.raw(atText).mapWith(String),
        actorType: auditEvents.actorType,
        actorId: auditEvents.actorId,
        actorName: auditEvents.actorName,
        ip: auditEvents.ip,
        action: auditEvents.action,
        targetType: auditEvents.targetType,
        targetId: auditEvents.targetId,
        outcome: auditEvents.outcome,
      })
      .from(auditEvents)
      .where(and(gt(auditEvents.seq, sql.placeholder('after')), lte(auditEvents.seq, sql.placeholder('until'))))
      .orderBy(asc(auditEvents.seq))
      .limit(sql.placeholder('limit'))
      .prepare('audit_verify_batch');
    return async (after, u) => {
      const rows = await q.execute({ after, until: until(u), limit: batch });
      return rows.map((r) => [
        r.seq,
        r.canon,
        r.hash,
        r.mac,
        r.at,
        r.actorType,
        r.actorId,
        r.actorName,
        r.ip,
        r.action,
        r.targetType,
        r.targetId,
        r.outcome,
      ]);
    };
  }
  return async (after, u) => {
    const rows = await repo.batch(after, batch, u ?? undefined);
    return rows.map((r) => [
      r.seq,
      r.canon,
      r.hash,
      r.mac,
      r.at.toISOString(),
      r.actorType,
      r.actorId,
      r.actorName,
      r.ip,
      r.action,
      r.targetType,
      r.targetId,
      r.outcome,
    ]);
  };
}

/** Feeds rows after..until to the verifier, batch by batch; stops at the first problem. */
export async function walk(fetchBatch, verifier, { after = 0, until = null, batch, prefetch }) {
  let checked = 0;
  let problem = null;
  let next = fetchBatch(after, until);
  while (next) {
    const rows = await next;
    next = null;
    if (rows.length === 0) break;
    checked += rows.length;
    after = rows.at(-1)[0];
    const more = rows.length === batch;
    if (more && prefetch) {
      // Ask for the next batch now, so PostgreSQL reads and sends it on the other core while
      // this one is checked. postgres-js sends small queries from a setImmediate(), so
      // yield once or the request would leave only after the synchronous check below.
      next = fetchBatch(after, until);
      await new Promise((r) => setImmediate(r));
    }
    problem = verifier.push(rows);
    if (problem) break;
    if (more && !prefetch) next = fetchBatch(after, until);
  }
  if (next) await next.catch(() => {}); // a prefetched batch nobody needs
  return { problem, checked };
}

export function createProposedVerify({ db, macKey, signingKey, databaseUrl, options = proposedVerifyOptions }) {
  const o = { ...proposedVerifyOptions, ...options };
  const repo = createAuditRepository(db);
  const fetchBatch = makeFetcher(o.fetch, { db, client: db.$client, batch: o.batch });

  async function verify() {
    const t0 = performance.now();
    const cps = await repo.checkpoints();
    let problem = null;
    for (const cp of [...cps].reverse()) {
      const ok = verifySignature(
        null,
        chain.checkpointMessage(cp),
        signingKey.publicKey,
        Buffer.from(cp.signature, 'base64'),
      );
      if (!ok) {
        problem = { seq: cp.seq, reason: 'signature invalid', message: `checkpoint #${cp.seq} has a bad signature` };
        break;
      }
    }
    let checked = 0;
    let lastSeq = 0;
    if (!problem && o.workers > 1) {
      ({ problem, checked, lastSeq } = await verifyInWorkers({ db, databaseUrl, macKey, cps, o }));
    } else if (!problem) {
      const verifier = createArrayVerifier(macKey, new Map(cps.map((c) => [c.seq, c])), o);
      const w = await walk(fetchBatch, verifier, o);
      checked = w.checked;
      problem = w.problem ?? verifier.finish();
      lastSeq = verifier.lastSeq;
    }
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
  return { verify, options: o };
}

/**
 * The chain cut into chunks of `o.chunk` rows (by seq) handed in order to `o.workers` worker
 * threads, each with its own connection. A chunk starts from the stored hash and MAC of the
 * row before it (if that row is bad, an earlier chunk reports it); the first problem of the
 * earliest chunk that has one is the first problem of the chain, as in the sequential walk,
 * and no chunk after it is started. Handing chunks out in order keeps a problem early in the
 * log an early answer, which splitting the log into one range per worker would not.
 */
async function verifyInWorkers({ db, databaseUrl, macKey, cps, o }) {
  const [{ last }] = await db.execute(sql.raw('select max(seq)::float8 as last from audit_events'));
  if (last === null) return { problem: null, checked: 0, lastSeq: 0 };
  const chunks = [];
  for (let from = 1; from <= last; from += o.chunk) chunks.push([from, Math.min(last, from + o.chunk - 1)]);
  const results = new Array(chunks.length).fill(null);
  let handedOut = 0;
  let stopAfter = chunks.length - 1;
  const answer = () => {
    let checked = 0;
    for (const r of results) checked += r?.checked ?? 0;
    for (let i = 0; i < chunks.length; i++) {
      const r = results[i];
      if (!r) return null;
      if (r.problem) return { problem: r.problem, checked, lastSeq: r.lastSeq };
      if (r.lastSeq < chunks[i][1]) {
        const seq = r.lastSeq + 1;
        return {
          problem: { seq, reason: 'missing', message: `rows ${seq}..${chunks[i][1]} are missing` },
          checked,
          lastSeq: r.lastSeq,
        };
      }
    }
    return { problem: null, checked, lastSeq: results.at(-1).lastSeq };
  };
  const workers = [];
  try {
    return await new Promise((resolve, reject) => {
      const giveWork = (w) => {
        if (handedOut > stopAfter) return;
        const index = handedOut++;
        w.postMessage({ index, from: chunks[index][0], to: chunks[index][1] });
      };
      for (let k = 0; k < Math.min(o.workers, chunks.length); k++) {
        const w = new Worker(new URL('./audit-verify-worker.mjs', import.meta.url), {
          workerData: {
            databaseUrl,
            macKey: macKey.toString('hex'),
            checkpoints: cps.map((c) => [c.seq, c.hash, c.mac]),
            options: { ...o, workers: 1, fetch: 'raw' },
            coreDist: process.env.BENCH_CORE_DIST,
          },
        });
        workers.push(w);
        w.on('message', (r) => {
          results[r.index] = r;
          if (r.problem || r.lastSeq < chunks[r.index][1]) stopAfter = Math.min(stopAfter, r.index);
          const a = answer();
          if (a) resolve(a);
          else giveWork(w);
        });
        w.once('error', reject);
        giveWork(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** createChainVerifier() over array rows [seq, canon, hash, mac, at, actorType, actorId, actorName, ip, action, targetType, targetId, outcome]. */
export function createArrayVerifier(key, checkpoints, o, start = { seq: 0, hash: chain.genesis, mac: chain.genesis }) {
  let expected = start.seq + 1;
  let prevHash = start.hash;
  let prevMac = start.mac;
  let pending = null;
  let problem = null;
  const keyObject = createSecretKey(key);
  const frame = (prev, seq, canon) => `${prev}\n${seq}\n${canon}`;

  const seqIn = (canon) => {
    try {
      return JSON.parse(canon).seq;
    } catch {
      return undefined;
    }
  };
  const columnsOfRow = (r) => ({
    at: r[4],
    actorType: r[5],
    actorId: r[6],
    actorName: r[7],
    ip: r[8],
    action: r[9],
    targetType: r[10],
    targetId: r[11],
    outcome: r[12],
  });

  function jsonCheck(row) {
    let parsed;
    try {
      parsed = JSON.parse(row[1]);
    } catch {
      return { seq: row[0], reason: 'edited', message: 'stored canonical text is not JSON' };
    }
    if (parsed.seq !== row[0]) {
      return {
        seq: row[0],
        reason: 'reordered',
        message: `row ${row[0]} holds the entry written as ${String(parsed.seq)}`,
      };
    }
    const a = chain.columnsOf(parsed);
    const b = columnsOfRow(row);
    for (const k of Object.keys(a)) {
      if (a[k] !== b[k])
        return { seq: row[0], reason: 'edited', message: `column ${k} differs from the authenticated text` };
    }
    return null;
  }

  const sameBuffers = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

  function check(row, next) {
    const seq = row[0];
    if (seq > expected)
      return { seq: expected, reason: 'missing', message: `rows ${expected}..${seq - 1} are missing` };
    if (seq < expected) return { seq, reason: 'reordered', message: `row ${seq} appears out of order` };
    const canon = row[1];
    const p = jsonCheck(row);
    if (p) return p;
    let hashOk;
    let macOk;
    if (o.hashing === 'fast') {
      // Same digests: one-shot SHA-256 (no Hash object), HMAC with a KeyObject made once.
      hashOk = oneShotHash('sha256', frame(prevHash, seq, canon), 'hex') === row[2]; // public value
      if (hashOk) {
        const mac = createHmac('sha256', keyObject)
          .update(frame(prevMac, seq, canon))
          .digest();
        const stored = Buffer.from(row[3], 'hex');
        macOk = row[3].length === 64 && stored.length === 32 && timingSafeEqual(mac, stored);
      }
    } else {
      hashOk = sameBuffers(chain.chainHash(prevHash, seq, canon), row[2]);
      if (hashOk) macOk = sameBuffers(chain.chainMac(key, prevMac, seq, canon), row[3]);
    }
    if (!hashOk) return { seq, reason: 'edited', message: 'hash chain broken: content or order changed' };
    if (!macOk) {
      const inserted = next !== null && seqIn(next[1]) === seq;
      return {
        seq,
        reason: inserted ? 'inserted' : 'edited',
        message: inserted ? 'row was inserted without the audit key' : 'row was rewritten without the audit key',
      };
    }
    const cp = checkpoints.get(seq);
    if (cp && (cp.hash !== row[2] || cp.mac !== row[3])) {
      return { seq, reason: 'edited', message: 'row differs from what its signed checkpoint vouches for' };
    }
    return null;
  }

  return {
    push(rows) {
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
    finish() {
      if (!problem && pending) {
        problem = check(pending, null);
        if (!problem) expected = pending[0] + 1;
        pending = null;
      }
      return problem;
    },
    get lastSeq() {
      return expected - 1;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Appending, as it was before finding D (the baseline the append bench compares with): the
// locked read of the head, then the insert, in a drizzle transaction — BEGIN, the advisory
// lock, SELECT of the head, INSERT, COMMIT, each awaited; drizzle runs them unprepared, so
// postgres-js sends the three with parameters as Parse/Describe first and Bind/Execute after
// the answer: eight round trips per append. The core now remembers its head and sends the
// lock and a conditional insert together (audit.repository.ts append()/appendAlone()).

const appendLockId = 0x5e7b0a;

/** audit.repository.ts with the append of commit 8b7bf9f; everything else is the core's own. */
export function createPreviousAuditRepository(db) {
  const base = createAuditRepository(db);
  const stats = { fast: 0, fallback: 0 };
  async function append(tx, entries, key) {
    stats.fallback++;
    await tx.execute(sql`select pg_advisory_xact_lock(${appendLockId})`);
    const [head] = await tx
      .select({ seq: auditEvents.seq, hash: auditEvents.hash, mac: auditEvents.mac })
      .from(auditEvents)
      .orderBy(desc(auditEvents.seq))
      .limit(1);
    let prev = head ?? { seq: 0, hash: chain.genesis, mac: chain.genesis };
    const rows = entries.map((e) => {
      const entry = { ...e, seq: prev.seq + 1 };
      const chained = chain.link(prev, entry, key);
      prev = chained;
      const c = chain.columnsOf(entry);
      return { ...c, at: new Date(c.at), ...chained };
    });
    if (rows.length) await tx.insert(auditEvents).values(rows);
    return rows.map((r) => ({ seq: r.seq, hash: r.hash, mac: r.mac, canon: r.canon }));
  }
  return { ...base, stats, append, appendAlone: (entries, key) => db.transaction((t) => append(t, entries, key)) };
}

/** The core's own createAuditService() (audit.service.ts) over the previous repository. */
export async function createPreviousAuditService(platform, services) {
  const { createAuditService } = await fromCore('modules/audit/audit.service.js');
  const { deriveKey, loadSigningKey } = await fromCore('platform/keys.js');
  const { config, log } = platform;
  const repo = createPreviousAuditRepository(platform.database.db);
  const audit = createAuditService({
    db: platform.database.db,
    repo,
    macKey: deriveKey(platform.masterKey, 'audit-mac'),
    signingKey: loadSigningKey({ configured: config.audit.signingKey, dataDir: config.dataDir, log }),
    bus: services.bus,
    log,
    checkpointEveryRows: config.audit.checkpointEveryRows,
    checkpointEveryMinutes: config.audit.checkpointEveryMinutes,
  });
  await audit.start();
  return { audit, repo };
}
