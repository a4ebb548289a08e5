// Audit chain verification on 1,000,000 rows: the real `audit.verify()` (core/dist service on
// a fresh PostgreSQL database) end to end, beside the physical ceiling (SHA-256 + HMAC-SHA256
// over the same canonical texts, in memory, no database), then the time to find one row
// tampered in the middle (triggers disabled as superuser, one row's text and column changed).
// Beside the service (arrays from postgres-js, 50,000-row chunks in up to 2 worker threads
// with their own connections), in alternating order: the same service code in one thread
// (`verify: { workers: 1 }`), and the verify() of the build before (8b7bf9f: drizzle row
// objects with a Date each, batches of 2,000 with the next one prefetched; a copy in
// core/bench/lib/audit-whatif.mjs, createProposedVerify with fetch 'current').
//
// The rows are made the way the service makes them (core/dist audit-chain.js `link()`,
// `columnsOf()`, the MAC key from the master key with the core's `deriveKey(…, 'audit-mac')`),
// written with COPY; a checkpoint every 1,000 rows is signed with the Ed25519 key exactly as
// `checkpoint()` does (`checkpointMessage()`), so verify() checks 1,000 signatures too.
//
// usage: node core/bench/audit-verify.bench.mjs   (TEST_PG_URL / TEST_REDIS_URL set, e.g. by
//        `. scripts/test-env.sh`; core built). Knobs (env): BENCH_ROWS=1000000, BENCH_RUNS=2
//        (runs of each verifier, intact and tampered), BENCH_WHATIF=0 (only the service),
//        BENCH_CPU_PROF=<dir> (write a CPU profile of one verify() in one thread there).
import { createHmac, createSecretKey, hash as oneShotHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import postgres from 'postgres';
import { auditKeys, auditRedisDb, fillAuditChain, fromCore, openAuditServices } from './lib/audit.mjs';
import { createProposedVerify } from './lib/audit-whatif.mjs';
import {
  benchStores,
  coreLabel,
  cpuOf,
  fmt,
  header,
  median,
  onCleanup,
  pgBackendPids,
  requireBuild,
  runBench,
  table,
} from './lib/common.mjs';

const totalRows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 2);
const whatIf = process.env.BENCH_WHATIF !== '0';
const cpuProfDir = process.env.BENCH_CPU_PROF;
const goals = { rowsPerSecond: 150_000, ofCeiling: 0.4, tamperSeconds: 10 };
const serviceName = 'audit.verify() (service: arrays, 2 worker threads)';
const oneThreadName = 'the same in one thread (verify: { workers: 1 })';
const beforeName = 'before: verify() at 8b7bf9f (drizzle rows, one thread)';

runBench('audit-verify', 1200, async () => {
  requireBuild();
  const chain = await fromCore('modules/audit/audit-chain.js');
  const { deriveKey, loadSigningKey } = await fromCore('platform/keys.js');
  const stores = await benchStores({ redisDb: auditRedisDb });
  const keys = auditKeys();
  const svc = await openAuditServices(stores, keys); // migrates the fresh database
  onCleanup(() => svc.close());
  const sql = postgres(stores.databaseUrl, { max: 2, onnotice: () => {} });
  onCleanup(() => sql.end({ timeout: 5 }));
  const macKey = deriveKey(Buffer.from(keys.masterKey, 'base64'), 'audit-mac');
  const signingKey = loadSigningKey({ configured: keys.signingPem, dataDir: svc.config.dataDir, log: svc.log });

  header(`Audit verification: the real audit.verify() on ${totalRows.toLocaleString('en-US')} chained rows`, [
    `service: createServices() from ${coreLabel().replace('main.js', 'deps.js')} on PostgreSQL ${stores.pgVersion} (127.0.0.1, database ${stores.name})`,
    `rows: ${totalRows.toLocaleString('en-US')} made with audit-chain.js link() and the service's key derivation, written with COPY; an Ed25519-signed checkpoint every 1,000 rows`,
  ]);

  // ---- Fill. ----------------------------------------------------------------------------------
  const fill = await fillAuditChain({
    sql,
    rows: totalRows,
    macKey,
    signingKey,
    progress: (n) => process.stderr.write(`fill: ${n.toLocaleString('en-US')} rows\n`),
  });
  const [{ bytes, rows: counted }] =
    await sql`select pg_total_relation_size('audit_events')::bigint as bytes, count(*)::int as rows from audit_events`;
  if (counted !== totalRows) throw new Error(`fill wrote ${counted} rows`);
  console.log(
    `fill: ${counted.toLocaleString('en-US')} rows + ${fill.checkpoints} checkpoints in ${fmt(fill.fillMs / 1000, 1)} s ` +
      `(generating ${fmt(fill.genMs / 1000, 1)} s of it, overlapped with COPY), table + indexes ${fmt(Number(bytes) / 2 ** 20, 0)} MB, ` +
      `canon ${fmt(fill.canonBytes / totalRows, 0)} bytes per row on average\n`,
  );

  // ---- Ceilings: the chain's hashing alone, in memory, over the same texts. -----------------
  // The texts live off the heap between runs (so they do not tax the verifiers' GC) and are
  // decoded into strings before the clock starts.
  const keyObject = createSecretKey(macKey);
  const ceilings = {
    'ceiling: audit-chain.js chainHash + chainMac': (canons) => {
      let h = chain.genesis;
      let m = chain.genesis;
      for (let i = 0; i < canons.length; i++) {
        h = chain.chainHash(h, i + 1, canons[i]);
        m = chain.chainMac(macKey, m, i + 1, canons[i]);
      }
      return [h, m];
    },
    'ceiling: one-shot SHA-256 + HMAC (KeyObject)': (canons) => {
      let h = chain.genesis;
      let m = chain.genesis;
      for (let i = 0; i < canons.length; i++) {
        h = oneShotHash('sha256', `${h}\n${i + 1}\n${canons[i]}`, 'hex');
        m = createHmac('sha256', keyObject)
          .update(`${m}\n${i + 1}\n${canons[i]}`)
          .digest('hex');
      }
      return [h, m];
    },
  };
  function ceiling(f) {
    let canons = fill.canons();
    const s = performance.now();
    const [h, m] = f(canons);
    const ms = performance.now() - s;
    canons = null;
    if (h !== fill.head.hash || m !== fill.head.mac)
      throw new Error('ceiling: recomputed head differs from the stored one');
    return { ms };
  }

  // ---- Verifiers: the service, the same code in one thread, and the one before. ------------
  const db = svc.platform.database.db;
  const verifiers = { [serviceName]: svc.audit };
  if (whatIf) {
    // The same service code in one thread (verify: { workers: 1 }), and the verify() of the
    // build before the change (8b7bf9f: drizzle row objects, batches of 2,000 + prefetch).
    const { createAuditService } = await fromCore('modules/audit/audit.service.js');
    const { createAuditRepository } = await fromCore('modules/audit/audit.repository.js');
    verifiers[oneThreadName] = createAuditService({
      db,
      repo: createAuditRepository(db),
      macKey,
      signingKey,
      bus: svc.services.bus,
      log: svc.log,
      checkpointEveryRows: 1_000_000,
      checkpointEveryMinutes: 60,
      verify: { workers: 1 },
    });
    verifiers[beforeName] = createProposedVerify({
      db,
      macKey,
      signingKey,
      options: { fetch: 'current', batch: 2_000, prefetch: true, hashing: 'fast', workers: 1 },
    });
  }
  async function timed(v) {
    const pids = await pgBackendPids(stores.admin, stores.name);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const cpu0 = process.cpuUsage();
    const pg0 = cpuOf(pids);
    const s = performance.now();
    const r = await v.verify();
    const ms = performance.now() - s;
    const cpu = process.cpuUsage(cpu0);
    delay.disable();
    return {
      r,
      ms,
      nodeCpuMs: (cpu.user + cpu.system) / 1000, // all threads of the process
      pgCpuMs: cpuOf(pids) - pg0, // backends that were open at the start (not the workers' own)
      loopMaxMs: delay.max / 1e6,
      loop99Ms: delay.percentile(99) / 1e6,
    };
  }

  const intact = Object.fromEntries([...Object.keys(ceilings), ...Object.keys(verifiers)].map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, f] of Object.entries(ceilings)) intact[name].push(ceiling(f));
    const order = Object.entries(verifiers);
    if (i % 2) order.reverse();
    for (const [name, v] of order) {
      const x = await timed(v);
      if (!x.r.ok || x.r.checkedRows !== totalRows)
        throw new Error(`${name} failed on the intact chain: ${JSON.stringify(x.r)}`);
      intact[name].push(x);
    }
  }

  if (cpuProfDir) {
    const { Session } = await import('node:inspector/promises');
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    // The thread that does the work: the service's code in one thread (with workers, this
    // thread only hands out chunks).
    await (verifiers[oneThreadName] ?? svc.audit).verify();
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(cpuProfDir, { recursive: true });
    const file = join(cpuProfDir, `audit-verify-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    console.log(`CPU profile of one verify() in one thread written to ${file}`);
  }

  // ---- Tamper one row in the middle, as a superuser would. -----------------------------------
  const victim = Math.floor(totalRows / 2);
  await sql.begin(async (t) => {
    await t`alter table audit_events disable trigger user`;
    const [row] = await t`select outcome from audit_events where seq = ${victim}`;
    const to = row.outcome === 'success' ? 'failure' : 'success';
    await t`update audit_events set outcome = ${to}, canon = replace(canon, ${`"outcome":"${row.outcome}"`}, ${`"outcome":"${to}"`})
            where seq = ${victim}`;
    await t`alter table audit_events enable trigger user`;
  });
  const tampered = Object.fromEntries(Object.keys(verifiers).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    const order = Object.entries(verifiers);
    if (i % 2) order.reverse();
    for (const [name, v] of order) {
      const x = await timed(v);
      if (x.r.ok || x.r.problem?.seq !== victim)
        throw new Error(`${name} did not find row ${victim}: ${JSON.stringify(x.r)}`);
      tampered[name].push(x);
    }
  }

  // ---- Tables. --------------------------------------------------------------------------------
  const rps = (ms, n = totalRows) => (n * 1000) / ms;
  const medMs = (rs) => median(rs.map((x) => x.ms));
  const physical = 'ceiling: one-shot SHA-256 + HMAC (KeyObject)';
  const ceilRps = rps(medMs(intact[physical]));
  const avg = (rs, k) => rs.reduce((a, x) => a + x[k], 0) / rs.length;
  const rows = Object.entries(intact).map(([name, rs]) => {
    const isCeil = name.startsWith('ceiling');
    return [
      name,
      ...rs.map((x) => fmt(x.ms / 1000, 2)),
      fmt(rps(medMs(rs)), 0),
      `${fmt((100 * rps(medMs(rs))) / ceilRps, 0)}%`,
      isCeil ? '–' : fmt((avg(rs, 'nodeCpuMs') * 1000) / totalRows, 1),
      isCeil || name === serviceName ? '–' : fmt((avg(rs, 'pgCpuMs') * 1000) / totalRows, 1),
      isCeil ? '–' : fmt(Math.max(...rs.map((x) => x.loopMaxMs)), 0),
    ];
  });
  table(
    [
      `${totalRows.toLocaleString('en-US')} intact rows`,
      ...Array.from({ length: runs }, (_, i) => `run ${i + 1} s`),
      'rows/s (median)',
      'of ceiling',
      'Node CPU µs/row',
      'PG CPU µs/row',
      'event loop blocked max ms',
    ],
    rows,
  );
  console.log('');
  table(
    [
      `row ${victim.toLocaleString('en-US')} tampered`,
      ...Array.from({ length: runs }, (_, i) => `run ${i + 1} s`),
      'rows/s until found',
      'reported',
    ],
    Object.entries(tampered).map(([name, rs]) => [
      name,
      ...rs.map((x) => fmt(x.ms / 1000, 2)),
      fmt(rps(medMs(rs), victim), 0),
      `#${rs[0].r.problem.seq} ${rs[0].r.problem.reason}: ${rs[0].r.problem.message}`,
    ]),
  );

  const service = serviceName;
  const cur = rps(medMs(intact[service]));
  const tamperS = medMs(tampered[service]) / 1000;
  const moduleCeil = rps(medMs(intact['ceiling: audit-chain.js chainHash + chainMac']));
  console.log(
    `\nservice / physical ceiling: ${fmt(cur / ceilRps, 2)}; service / audit-chain.js ceiling: ${fmt(cur / moduleCeil, 2)}`,
  );
  console.log(
    `goal: >= ${goals.rowsPerSecond.toLocaleString('en-US')} rows/s: ${cur >= goals.rowsPerSecond ? 'MET' : 'NOT MET'} (${fmt(cur, 0)})` +
      `; >= ${goals.ofCeiling * 100}% of the ceiling: ${cur / ceilRps >= goals.ofCeiling ? 'MET' : 'NOT MET'} (${fmt((100 * cur) / ceilRps, 0)}%)` +
      `; tampered row found in <= ${goals.tamperSeconds} s: ${tamperS <= goals.tamperSeconds ? 'MET' : 'NOT MET'} (${fmt(tamperS, 2)} s)`,
  );
  for (const name of Object.keys(verifiers).filter((n) => n !== service)) {
    const r = rps(medMs(intact[name]));
    const t = medMs(tampered[name]) / 1000;
    console.log(
      `${name.split(':')[0]}: ${fmt(r, 0)} rows/s (${fmt(r / cur, 2)}× the service, ${fmt((100 * r) / ceilRps, 0)}% of the ceiling), tampered row in ${fmt(t, 2)} s` +
        ` — goals ${r >= goals.rowsPerSecond ? 'met' : 'NOT met'} / ${r / ceilRps >= goals.ofCeiling ? 'met' : 'NOT met'} / ${t <= goals.tamperSeconds ? 'met' : 'NOT met'}`,
    );
  }
  await svc.close();
});
