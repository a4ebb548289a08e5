// Shared helpers for the benchmarks: spawning the real core, the real stores, /proc sampling,
// statistics and tables. Plain ESM on purpose: benches run with `node`, no compile step.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import postgres from 'postgres';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
// BENCH_CORE_DIST points the benches at another build of the core (to measure a change).
export const coreDist = process.env.BENCH_CORE_DIST ?? join(repoRoot, 'core/dist');
export const coreMain = join(coreDist, 'main.js');
export const coreCli = join(coreDist, 'cli.js');
export const benchRedisDb = 62;

/** How the core under test is started, for the tables' headers. */
export function coreLabel() {
  const rel = relative(repoRoot, coreMain);
  return `node ${rel.startsWith('..') ? coreMain : rel}${process.env.BENCH_CORE_DIST ? ' (BENCH_CORE_DIST)' : ''}`;
}

export function requireBuild() {
  if (!existsSync(coreMain)) {
    fail('core/dist is missing: run `npm run build -w @serverbox/core` (scripts/bench.sh does it)');
  }
}

export function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Cleanup: every bench registers what it started; a deadline or a signal runs it all.

const cleanups = [];
export function onCleanup(f) {
  cleanups.push(f);
}
export async function cleanupAll() {
  while (cleanups.length) {
    const f = cleanups.pop();
    await Promise.resolve()
      .then(f)
      .catch((err) => process.stderr.write(`bench: cleanup failed: ${err.message}\n`));
  }
}
/** Runs `main` with a hard deadline so a bench always stops by itself. */
export function runBench(name, deadlineSeconds, main) {
  const deadline = setTimeout(async () => {
    process.stderr.write(`bench ${name}: gave up after ${deadlineSeconds} s\n`);
    await cleanupAll();
    process.exit(1);
  }, deadlineSeconds * 1000);
  deadline.unref();
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, async () => {
      await cleanupAll();
      process.exit(130);
    });
  }
  main()
    .then(async () => {
      await cleanupAll();
      clearTimeout(deadline);
      process.exit(0);
    })
    .catch(async (err) => {
      process.stderr.write(`bench ${name} failed: ${err.stack ?? err}\n`);
      await cleanupAll();
      process.exit(1);
    });
}

// ---------------------------------------------------------------------------------------------
// Machine and stores.

export function machine() {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpu: cpu[0]?.model ?? 'unknown',
    node: process.version,
  };
}

export async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** A fresh PostgreSQL database (dropped afterwards) and Redis logical DB 62 (flushed; `redisDb` picks another). */
export async function benchStores({ redisDb = benchRedisDb } = {}) {
  const pgUrl = process.env.TEST_PG_URL;
  const redisUrl = process.env.TEST_REDIS_URL;
  if (!pgUrl || !redisUrl)
    fail('TEST_PG_URL / TEST_REDIS_URL are not set: run `npm run bench` (it sources scripts/test-env.sh)');
  const name = `sb_bench_${randomBytes(5).toString('hex')}`;
  const admin = postgres(pgUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const dbUrl = new URL(pgUrl);
  dbUrl.pathname = `/${name}`;
  const flush = new Redis(`${redisUrl}/${redisDb}`);
  await flush.flushdb();
  flush.disconnect();
  const version = (await admin`show server_version`)[0].server_version;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  };
  onCleanup(drop);
  return {
    name,
    databaseUrl: dbUrl.toString(),
    redisUrl: `${redisUrl}/${redisDb}`,
    pgVersion: version,
    admin,
    drop,
  };
}

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ---------------------------------------------------------------------------------------------
// The core as a child process.

/**
 * Spawns `node core/dist/main.js` with the given environment (on top of a minimal one) and
 * returns once it answers /readyz 200. `nodeArgs` go before the script (e.g. --cpu-prof).
 */
export async function spawnCore({ env, nodeArgs = [], readyTimeoutMs = 30_000, logTo }) {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const childEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...env,
    PORT: String(port),
  };
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, coreMain], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d) => {
    output = (output + d.toString()).slice(-20_000);
    logTo?.(d);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const core = {
    child,
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    spawnedAt: t0,
    readyAt: 0,
    exited,
    output: () => output,
    /** SIGTERM, then wait for exit (SIGKILL after `graceMs`). Resolves with ms to exit. */
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return 0;
      const s = performance.now();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const how = await exited;
      clearTimeout(timer);
      if (how.signal === 'SIGKILL') process.stderr.write('bench: core did not stop on SIGTERM; killed it\n');
      return performance.now() - s;
    },
  };
  onCleanup(() => core.stop());
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`core exited with ${child.exitCode} before ready:\n${output}`);
    if (Date.now() > deadline) throw new Error(`core not ready within ${readyTimeoutMs} ms:\n${output}`);
    const ok = await fetch(`${core.url}/readyz`)
      .then(async (r) => {
        await r.arrayBuffer();
        return r.status === 200;
      })
      .catch(() => false);
    if (ok) break;
    await sleep(10);
  }
  core.readyAt = performance.now();
  return core;
}

/** Creates an admin with the real CLI (password on stdin). */
export async function createAdmin(env, { email, name, password }) {
  const child = spawn(process.execPath, [coreCli, 'admin', 'create', '--email', email, '--name', name], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  child.stdin.end(`${password}\n`);
  const code = await new Promise((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`serverbox admin create failed (${code}): ${out}`);
}

/** Signs in over HTTP and returns the session token from the sb_session cookie. */
export async function signIn(url, email, password) {
  const res = await fetch(`${url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`auth.login answered ${res.status}: ${body}`);
  for (const c of res.headers.getSetCookie()) {
    const m = c.match(/^sb_session=([^;]+)/);
    if (m) return m[1];
  }
  throw new Error('auth.login set no sb_session cookie');
}

export const benchAdmin = () => ({
  email: 'bench@example.com',
  name: 'Bench',
  password: `Qz7-${randomBytes(12).toString('base64url')}`,
});

/** BENCH_CPU_PROF=<dir>: run the core under `node --cpu-prof` and write its profile there. */
export function profileArgs() {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/**
 * Starts a core on a fresh PostgreSQL database and Redis DB 62, with an admin signed in.
 * `opts.stores` reuses stores from benchStores() instead (e.g. a database a bench also uses).
 */
export async function coreWithStores(opts = {}) {
  const stores = opts.stores ?? (await benchStores());
  const dataDir = tempDir('sb-bench-data-');
  const env = {
    DATABASE_URL: stores.databaseUrl,
    REDIS_URL: stores.redisUrl,
    SERVERBOX_DATA_DIR: dataDir,
    SERVERBOX_MASTER_KEY: randomBytes(32).toString('base64'),
    SERVERBOX_DASHBOARD_DIR: join(dataDir, 'no-dashboard'),
    LOG_LEVEL: 'error',
    ...opts.env,
  };
  const core = await spawnCore({ env, nodeArgs: opts.nodeArgs ?? profileArgs() });
  const admin = benchAdmin();
  await createAdmin(env, admin);
  const token = await signIn(core.url, admin.email, admin.password);
  return { stores, core, env, admin, token };
}

// ---------------------------------------------------------------------------------------------
// /proc sampling (Linux).

// Clock ticks per second for /proc/<pid>/stat times (sysconf is not reachable from Node).
let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  clkTck = 100;
}

/** CPU time (user+system, ms) and memory (kB) of a process, from /proc. null if gone. */
export function procSample(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(status.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm'))?.[1] ?? 0);
    return {
      cpuMs: ((utime + stime) * 1000) / clkTck,
      userMs: (utime * 1000) / clkTck,
      sysMs: (stime * 1000) / clkTck,
      rssKb: kb('VmRSS'),
      hwmKb: kb('VmHWM'),
      threads: kb('Threads'),
      at: performance.now(),
    };
  } catch {
    return null;
  }
}

/** Summed CPU ms of several processes (ones that vanished count as 0). */
export function cpuOf(pids) {
  let ms = 0;
  for (const pid of pids) ms += procSample(pid)?.cpuMs ?? 0;
  return ms;
}

/** Backend pids of a database, to charge PostgreSQL's share of the work. */
export async function pgBackendPids(admin, dbName) {
  const rows = await admin`select pid from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid()`;
  return rows.map((r) => r.pid);
}

// ---------------------------------------------------------------------------------------------
// Statistics and output.

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
export function summarize(values) {
  const s = Float64Array.from(values).sort();
  return {
    n: s.length,
    p50: quantile(s, 0.5),
    p90: quantile(s, 0.9),
    p99: quantile(s, 0.99),
    max: s.length ? s[s.length - 1] : Number.NaN,
    min: s.length ? s[0] : Number.NaN,
  };
}

export function fmt(n, digits = 1) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  if (typeof n === 'string') return n;
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Prints an aligned table: first column left, the rest right-aligned. */
export function table(headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const out = [
    line(cells[0]),
    `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
  ];
  for (const r of cells.slice(1)) out.push(line(r));
  console.log(out.join('\n'));
}

/** The 1-minute load average: other work on this shared machine shows up here. */
export function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  } catch {
    return '?';
  }
}

export function header(title, lines = []) {
  const m = machine();
  console.log(`\n## ${title}\n`);
  console.log(
    `machine: ${m.cores} cores (${m.cpu}), node ${m.node}, load average ${loadAverage()}, ${new Date().toISOString()}`,
  );
  for (const l of lines) console.log(l);
  console.log('');
}
