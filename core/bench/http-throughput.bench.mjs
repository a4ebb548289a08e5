// Authenticated tRPC query throughput: `auth.me` (session cookie → one PostgreSQL lookup)
// against the bare `GET /healthz` (the framework's ceiling on this machine), measured side by
// side in one run, in alternating rounds, on the real core process and a real PostgreSQL.
//
// usage: node core/bench/http-throughput.bench.mjs     (TEST_PG_URL / TEST_REDIS_URL set,
//        e.g. by `. scripts/test-env.sh`; core built). Knobs (env): BENCH_CONNECTIONS=50,
//        BENCH_SECONDS=5 (per round and target), BENCH_ROUNDS=2, BENCH_WARMUP_SECONDS=3,
//        BENCH_CPU_PROF=<dir> (run the core under --cpu-prof and write its profile there).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  coreLabel,
  coreWithStores,
  cpuOf,
  fmt,
  header,
  median,
  pgBackendPids,
  procSample,
  requireBuild,
  runBench,
  table,
} from './lib/common.mjs';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const cpuProfDir = process.env.BENCH_CPU_PROF;
const goalRps = 5000;
const loadScript = fileURLToPath(new URL('./lib/load.mjs', import.meta.url));

/** One autocannon run in its own process; returns its result and the CPU each party used. */
async function load(target, secs, pids) {
  const child = spawn(process.execPath, [loadScript, JSON.stringify({ ...target, connections, seconds: secs })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  const wallStart = performance.now();
  const coreStart = cpuOf([pids.core]);
  const pgStart = cpuOf(pids.pg);
  let loadCpu = 0;
  // The child's own CPU, sampled until it exits (its /proc entry goes with it).
  const poll = setInterval(() => {
    loadCpu = procSample(child.pid)?.cpuMs ?? loadCpu;
  }, 100);
  const code = await new Promise((r) => child.once('exit', r));
  clearInterval(poll);
  const wall = performance.now() - wallStart;
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  const r = JSON.parse(out.trim().split('\n').pop());
  return {
    ...r,
    wallMs: wall,
    coreCpuMs: cpuOf([pids.core]) - coreStart,
    pgCpuMs: cpuOf(pids.pg) - pgStart,
    loadCpuMs: loadCpu,
  };
}

runBench('http-throughput', 300, async () => {
  requireBuild();
  const { stores, core, token } = await coreWithStores();

  const me = { url: `${core.url}/trpc/auth.me`, headers: { cookie: `sb_session=${token}` } };
  const health = { url: `${core.url}/healthz` };
  // The same procedure without a cookie: Hono + tRPC + the permission check, no database.
  const anonMe = { url: `${core.url}/trpc/auth.me` };
  // Prove the authenticated query really authenticates before timing it.
  const probe = await fetch(me.url, { headers: me.headers });
  const body = await probe.json();
  if (probe.status !== 200 || body?.result?.data?.user?.email !== 'bench@example.com') {
    throw new Error(`auth.me did not answer as the signed-in admin: ${probe.status} ${JSON.stringify(body)}`);
  }
  const anon = await fetch(me.url);
  await anon.arrayBuffer();
  if (anon.status !== 401) throw new Error(`auth.me without a cookie answered ${anon.status}, expected 401`);

  header('HTTP throughput: authenticated tRPC query vs bare /healthz', [
    `core: ${coreLabel()} on PostgreSQL ${stores.pgVersion} (127.0.0.1, database ${stores.name}), Redis db 62, LOG_LEVEL=error`,
    `load: autocannon 8 in a separate process on the same machine, ${connections} connections, no pipelining`,
    `${rounds} alternating rounds of ${seconds} s per target after ${warmup} s warm-up each`,
  ]);

  // Warm-up: JIT, the PostgreSQL pool (10 connections) and prepared statements.
  const pidsNow = async () => ({ core: core.pid, pg: await pgBackendPids(stores.admin, stores.name) });
  await load(health, warmup, await pidsNow());
  await load(anonMe, 1, await pidsNow());
  await load(me, warmup, await pidsNow());

  const runs = { healthz: [], 'auth.me 401 (no cookie)': [], 'auth.me': [] };
  for (let i = 0; i < rounds; i++) {
    const pids = await pidsNow();
    runs.healthz.push(await load(health, seconds, pids));
    runs['auth.me 401 (no cookie)'].push(await load(anonMe, seconds, pids));
    runs['auth.me'].push(await load(me, seconds, pids));
  }
  // The 401s are the point of that target: count only other answers as errors.
  for (const r of runs['auth.me 401 (no cookie)']) {
    r.non2xx -= r.statusCodes?.['401']?.count ?? 0;
  }

  const us = (ms, n) => fmt((ms * 1000) / n, 0);
  const rows = [];
  for (const [name, rs] of Object.entries(runs)) {
    rs.forEach((r, i) => {
      rows.push([
        `${name} round ${i + 1}`,
        fmt(r.rps, 0),
        fmt(r.p50, 1),
        fmt(r.p99, 1),
        fmt(r.max, 1),
        String(r.non2xx + r.errors + r.timeouts),
        `${fmt((100 * r.coreCpuMs) / r.wallMs, 0)}%`,
        us(r.coreCpuMs, r.total),
        us(r.pgCpuMs, r.total),
        us(r.loadCpuMs, r.total),
      ]);
    });
  }
  table(
    ['run', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'core CPU', 'core µs/req', 'PG µs/req', 'loadgen µs/req'],
    rows,
  );

  const med = (name, k) => median(runs[name].map((r) => r[k]));
  const sum = (name, k) => runs[name].reduce((a, r) => a + r[k], 0);
  const summary = Object.keys(runs).map((name) => [
    name,
    fmt(med(name, 'rps'), 0),
    fmt(med(name, 'p50'), 1),
    fmt(med(name, 'p99'), 1),
    us(sum(name, 'coreCpuMs'), sum(name, 'total')),
    us(sum(name, 'pgCpuMs'), sum(name, 'total')),
    us(sum(name, 'loadCpuMs'), sum(name, 'total')),
  ]);
  console.log('\nmedians over rounds (CPU per request: totals over all rounds)\n');
  table(['target', 'req/s', 'p50 ms', 'p99 ms', 'core µs/req', 'PG µs/req', 'loadgen µs/req'], summary);

  const rpsMe = med('auth.me', 'rps');
  const rpsHealth = med('healthz', 'rps');
  const ratios = runs['auth.me'].map((r, i) => r.rps / runs.healthz[i].rps);
  console.log(
    `\nauth.me / healthz throughput: ${fmt(median(ratios), 3)} (per round: ${ratios.map((x) => fmt(x, 3)).join(', ')})`,
  );
  console.log(
    `goal: >= ${goalRps.toLocaleString('en-US')} req/s authenticated: ${rpsMe >= goalRps ? 'MET' : 'NOT MET'} (${fmt(rpsMe, 0)} req/s; ceiling /healthz ${fmt(rpsHealth, 0)} req/s)`,
  );
  const errors = Object.values(runs)
    .flat()
    .reduce((a, r) => a + r.non2xx + r.errors + r.timeouts, 0);
  if (errors > 0) throw new Error(`${errors} requests failed or were refused during the measurement`);

  const stopMs = await core.stop();
  if (cpuProfDir) console.log(`\ncore CPU profile written to ${cpuProfDir} (core stopped in ${fmt(stopMs, 0)} ms)`);
});
