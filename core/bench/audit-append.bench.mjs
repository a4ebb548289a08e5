// Audit append rate: the real audit service (core/dist deps.js createServices on a fresh
// PostgreSQL database and Redis db 61) appending rows with the hash and HMAC chain under its
// advisory lock, checkpoints every 1,000 rows, in the bench's own process, side by side:
//
//   single writer              record() one row per transaction, API idle
//   single writer + auth.me    the same while a spawned core on the same database serves
//                              authenticated `auth.me` (autocannon in its own process)
//   batched (recordMany 100)   100 rows per transaction, API idle
//   auth.me alone              the load without the writer (what the writer costs the API)
//
// and the same three writer columns with the previous append (core/bench/lib/audit-whatif.mjs:
// the core's own audit service over the repository's append before finding D — the locked
// read of the head every time, eight round trips), in alternating rounds. The spawned core shares the master key and the signing key, so it
// appends to the same chain (its sign-in is a row too); at the end the whole chain is
// verified with the real service, so every row the bench counted is proven to be chained.
//
// usage: node core/bench/audit-append.bench.mjs   (TEST_PG_URL / TEST_REDIS_URL set, e.g. by
//        `. scripts/test-env.sh`; core built). Knobs (env): BENCH_SECONDS=5 (per round and
//        column), BENCH_ROUNDS=3, BENCH_CONNECTIONS=50 (auth.me load), BENCH_BATCH=100,
//        BENCH_WHATIF=0 (skip the previous-append columns), BENCH_CPU_PROF=<dir> (write a CPU
//        profile of the bench process during the first round's single-writer column there).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { auditKeys, auditRedisDb, openAuditServices, sampleEntry, sampleScope } from './lib/audit.mjs';
import { createPreviousAuditService } from './lib/audit-whatif.mjs';
import {
  benchStores,
  coreLabel,
  coreWithStores,
  cpuOf,
  fmt,
  header,
  median,
  onCleanup,
  pgBackendPids,
  procSample,
  requireBuild,
  runBench,
  sleep,
  summarize,
  table,
} from './lib/common.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const batch = Number(process.env.BENCH_BATCH ?? 100);
const whatIf = process.env.BENCH_WHATIF !== '0';
const cpuProfDir = process.env.BENCH_CPU_PROF;
const goalRowsPerSecond = 2000;
const loadScript = fileURLToPath(new URL('./lib/load.mjs', import.meta.url));

/** autocannon in its own process for `secs`; resolves with its result and its CPU. */
function startLoad(target, secs) {
  const child = spawn(process.execPath, [loadScript, JSON.stringify({ ...target, connections, seconds: secs })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  let cpu = 0;
  const poll = setInterval(() => {
    cpu = procSample(child.pid)?.cpuMs ?? cpu;
  }, 100);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      resolve({ ...JSON.parse(out.trim().split('\n').pop()), loadCpuMs: cpu });
    });
  });
}

/** An in-process V8 CPU profile (the writer is this process), written to BENCH_CPU_PROF. */
async function startProfile() {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      mkdirSync(cpuProfDir, { recursive: true });
      const file = join(cpuProfDir, `audit-append-${Date.now()}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}

runBench('audit-append', 300, async () => {
  requireBuild();
  const stores = await benchStores({ redisDb: auditRedisDb });
  const keys = auditKeys();
  // The bench's own service first: it migrates the database the core then opens.
  const svc = await openAuditServices(stores, keys);
  onCleanup(() => svc.close());
  const { core, token } = await coreWithStores({
    stores,
    nodeArgs: [], // BENCH_CPU_PROF profiles the writer (this process), not the core
    env: { SERVERBOX_MASTER_KEY: keys.masterKey, SERVERBOX_AUDIT_SIGNING_KEY: keys.signingPem },
  });
  const me = { url: `${core.url}/trpc/auth.me`, headers: { cookie: `sb_session=${token}` } };
  const probe = await fetch(me.url, { headers: me.headers });
  if (probe.status !== 200) throw new Error(`auth.me answered ${probe.status}: ${await probe.text()}`);
  await probe.arrayBuffer();
  const previous = whatIf ? await createPreviousAuditService(svc.platform, svc.services) : null;
  const sql = stores.admin;
  // Row counts through a connection to the bench database (the admin one is on `postgres`).
  const benchDb = postgres(stores.databaseUrl, { max: 1, onnotice: () => {} });
  onCleanup(() => benchDb.end({ timeout: 5 }));
  const countRows = async (t) => (await benchDb.unsafe(`select count(*)::int as n from ${t}`))[0].n;

  header('Audit append rate: chained rows through the real audit service', [
    `writer: the bench process, createServices() from ${coreLabel().replace('main.js', 'deps.js')} on PostgreSQL ${stores.pgVersion} (127.0.0.1, database ${stores.name}), Redis db ${auditRedisDb}`,
    `chain: RFC 8785 canon, SHA-256 + HMAC-SHA256 links, advisory lock per append; Ed25519 checkpoint every 1,000 rows`,
    `API: ${coreLabel()} on the same database; load: autocannon, ${connections} connections, GET /trpc/auth.me with a session`,
    `${rounds} alternating rounds of ${seconds} s per column; latency = one record() / recordMany() call`,
  ]);

  let n = 0;
  /** Appends for `ms` as one writer; returns counts, per-call latencies and CPU. */
  async function write(ms, perTx, audit) {
    const lat = [];
    let rows = 0;
    const pgPids = await pgBackendPids(sql, stores.name);
    const cpu0 = process.cpuUsage();
    const pg0 = cpuOf(pgPids);
    const t0 = performance.now();
    const end = t0 + ms;
    while (performance.now() < end) {
      const s = performance.now();
      if (perTx === 1) {
        const scope = sampleScope(n++);
        await audit.record(scope, scope.outcome);
        rows += 1;
      } else {
        const at = new Date();
        const entries = Array.from({ length: perTx }, () => sampleEntry(n++, at));
        rows += await audit.recordMany(entries);
      }
      lat.push(performance.now() - s);
    }
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return {
      rows,
      calls: lat.length,
      wallMs: wall,
      rps: (rows * 1000) / wall,
      lat,
      writerCpuMs: (cpu.user + cpu.system) / 1000,
      pgCpuMs: cpuOf(pgPids) - pg0,
    };
  }

  /** The same writer while autocannon loads the core; the load runs 1 s longer around it. */
  async function writeUnderLoad(ms, perTx, audit) {
    const coreCpu0 = cpuOf([core.pid]);
    const load = startLoad(me, ms / 1000 + 1);
    await sleep(500);
    const w = await write(ms, perTx, audit);
    const l = await load;
    return { ...w, load: l, coreCpuMs: cpuOf([core.pid]) - coreCpu0 };
  }

  // Warm-up: JIT, pool connections, the spawned core's session cache.
  await write(1000, 1, svc.audit);
  await write(500, batch, svc.audit);
  if (previous) {
    await write(1000, 1, previous.audit);
    await write(500, batch, previous.audit);
  }
  await startLoad(me, 2);

  const ms = seconds * 1000;
  const plan = [
    ['single writer', () => write(ms, 1, svc.audit)],
    ['single writer + auth.me load', () => writeUnderLoad(ms, 1, svc.audit)],
    [`batched (recordMany ${batch})`, () => write(ms, batch, svc.audit)],
    [
      'auth.me load alone',
      async () => {
        const coreCpu0 = cpuOf([core.pid]);
        const l = await startLoad(me, seconds + 1);
        return { load: l, coreCpuMs: cpuOf([core.pid]) - coreCpu0 };
      },
    ],
  ];
  if (previous) {
    plan.push(
      ['before D: single writer', () => write(ms, 1, previous.audit)],
      ['before D: single writer + auth.me load', () => writeUnderLoad(ms, 1, previous.audit)],
      [`before D: batched (recordMany ${batch})`, () => write(ms, batch, previous.audit)],
    );
  }
  const columns = Object.fromEntries(plan.map(([name]) => [name, []]));
  const rows0 = await countRows('audit_events');
  const cps0 = await countRows('audit_checkpoints');
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...plan].reverse() : plan;
    for (const [name, run] of order) {
      const profile = cpuProfDir && r === 0 && name === 'single writer' ? await startProfile() : null;
      columns[name].push(await run());
      if (profile) console.log(`CPU profile of the single-writer column written to ${await profile.stop()}`);
    }
  }
  await svc.audit.checkpoint(); // the checkpoints queued by the last appends finish first
  if (previous) await previous.audit.checkpoint();
  const appended = (await countRows('audit_events')) - rows0;
  const checkpoints = (await countRows('audit_checkpoints')) - cps0;

  // Per round.
  const perRound = [];
  for (const [name, rs] of Object.entries(columns)) {
    rs.forEach((r, i) => {
      perRound.push([
        `${name} #${i + 1}`,
        r.rows === undefined ? '–' : fmt(r.rps, 0),
        r.rows === undefined ? '–' : fmt(r.rows, 0),
        r.lat ? fmt(summarize(r.lat).p50, 2) : '–',
        r.lat ? fmt(summarize(r.lat).p99, 2) : '–',
        r.rows === undefined ? '–' : fmt((r.writerCpuMs * 1000) / r.rows, 0),
        r.rows === undefined ? '–' : fmt((r.pgCpuMs * 1000) / r.rows, 0),
        r.load ? fmt(r.load.rps, 0) : '–',
        r.load ? fmt(r.load.p99, 0) : '–',
      ]);
    });
  }
  table(
    ['round', 'rows/s', 'rows', 'p50 ms', 'p99 ms', 'writer µs/row', 'PG µs/row', 'auth.me req/s', 'auth.me p99 ms'],
    perRound,
  );

  // Medians of rounds; latencies pooled over rounds.
  console.log('\nmedians over rounds (latency percentiles over all calls of the column)\n');
  const summary = [];
  const med = {};
  for (const [name, rs] of Object.entries(columns)) {
    const writes = rs[0].rows !== undefined;
    const lat = writes ? summarize(rs.flatMap((r) => r.lat)) : null;
    const rows = rs.reduce((a, r) => a + (r.rows ?? 0), 0);
    med[name] = writes ? median(rs.map((r) => r.rps)) : NaN;
    summary.push([
      name,
      writes ? fmt(med[name], 0) : '–',
      writes ? fmt(lat.p50, 2) : '–',
      writes ? fmt(lat.p99, 2) : '–',
      writes ? fmt(lat.max, 1) : '–',
      writes ? fmt((rs.reduce((a, r) => a + r.writerCpuMs, 0) * 1000) / rows, 0) : '–',
      writes ? fmt((rs.reduce((a, r) => a + r.pgCpuMs, 0) * 1000) / rows, 0) : '–',
      rs[0].load ? fmt(median(rs.map((r) => r.load.rps)), 0) : '–',
      rs[0].load ? fmt(median(rs.map((r) => r.load.p99)), 0) : '–',
      rs[0].load ? `${fmt(median(rs.map((r) => (100 * r.coreCpuMs) / (r.load.seconds * 1000))), 0)}%` : '–',
    ]);
  }
  table(
    [
      'column',
      'rows/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'writer µs/row',
      'PG µs/row',
      'auth.me req/s',
      'auth.me p99 ms',
      'core CPU',
    ],
    summary,
  );
  const single = med['single writer'];
  const loaded = med['single writer + auth.me load'];
  const batched = med[`batched (recordMany ${batch})`];
  const apiAlone = median(columns['auth.me load alone'].map((r) => r.load.rps));
  const apiWith = median(columns['single writer + auth.me load'].map((r) => r.load.rps));
  console.log(
    `\nunder load / idle: ${fmt(loaded / single, 2)}; batched / single: ${fmt(batched / single, 1)}×; ` +
      `auth.me with the writer / alone: ${fmt(apiWith / apiAlone, 2)}`,
  );
  const stats = svc.services.audit.appendStats?.();
  if (stats) {
    console.log(
      `current appends: ${stats.fast.toLocaleString('en-US')} in one round trip, ${stats.fallback.toLocaleString('en-US')} read the head under the lock (after the core or the previous path had written)`,
    );
  }
  if (previous) {
    const pSingle = med['before D: single writer'];
    const pLoaded = med['before D: single writer + auth.me load'];
    const pBatched = med[`before D: batched (recordMany ${batch})`];
    console.log(
      `current / before D: single ${fmt(single / pSingle, 2)}×, under load ${fmt(loaded / pLoaded, 2)}×, batched ${fmt(batched / pBatched, 2)}×`,
    );
  }
  console.log(
    `${appended.toLocaleString('en-US')} rows appended during the rounds (incl. the core's own), ${checkpoints} checkpoints signed (every 1,000 rows)`,
  );
  const errors = Object.values(columns)
    .flat()
    .filter((r) => r.load)
    .reduce((a, r) => a + r.load.non2xx + r.load.errors + r.load.timeouts, 0);

  // The rows counted above are a valid chain: verify all of it with the real service.
  const v = await svc.audit.verify();
  console.log(
    `verify after the run: ok=${v.ok}, ${v.checkedRows.toLocaleString('en-US')} rows, ${v.checkpoints.count} checkpoints, tail ${v.tail}, ${v.durationMs} ms` +
      (v.problem ? ` — ${JSON.stringify(v.problem)}` : ''),
  );
  console.log(
    `goal: >= ${goalRowsPerSecond.toLocaleString('en-US')} rows/s single writer: idle ${single >= goalRowsPerSecond ? 'MET' : 'NOT MET'} (${fmt(single, 0)} rows/s), ` +
      `while the API serves auth.me ${loaded >= goalRowsPerSecond ? 'MET' : 'NOT MET'} (${fmt(loaded, 0)} rows/s)`,
  );
  if (!v.ok) throw new Error('the chain written by the bench does not verify');
  if (errors > 0) throw new Error(`${errors} auth.me requests failed during the measurement`);
  await core.stop();
  if (previous) await previous.audit.stop();
  await svc.close();
});
