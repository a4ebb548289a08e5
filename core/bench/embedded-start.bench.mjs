// Embedded start: `node core/dist/main.js` with no DATABASE_URL and no REDIS_URL (PGlite in
// the data directory + a private redis-server on a unix socket), from spawn to the first
// `/readyz` 200. Each run uses a fresh data directory twice: first empty (creates the
// PGlite cluster, migrates), then reopened (the same directory, a second start).
//
// usage: node core/bench/embedded-start.bench.mjs   (core built; redis-server on PATH)
// Knobs (env): BENCH_RUNS=3.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coreLabel, fmt, header, median, requireBuild, runBench, spawnCore, table, tempDir } from './lib/common.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const goalReopenedMs = 3000;

/** pino lines (JSON) the core printed, with the time (ms since spawn) each appeared. */
function milestones(lines, spawnedEpochMs) {
  const at = {};
  for (const line of lines) {
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    const t = entry.time - spawnedEpochMs;
    if (entry.msg === 'embedded redis-server started') at.redis ??= t;
    else if (typeof entry.msg === 'string' && entry.msg.includes(' listening on ')) at.listening ??= t;
  }
  return at;
}

function redisVersion() {
  try {
    return execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).match(/v=(\S+)/)?.[1] ?? '?';
  } catch {
    return 'not found';
  }
}

async function start(dataDir) {
  let text = '';
  const spawnedEpochMs = Date.now();
  const core = await spawnCore({
    env: { SERVERBOX_DATA_DIR: dataDir, LOG_LEVEL: 'info', SERVERBOX_DASHBOARD_DIR: join(dataDir, 'no-dashboard') },
    readyTimeoutMs: 60_000,
    logTo: (d) => {
      text += d;
    },
  });
  const readyMs = core.readyAt - core.spawnedAt;
  const redisPidFile = join(dataDir, 'redis', 'redis.pid');
  const redisPid = existsSync(redisPidFile) ? Number(readFileSync(redisPidFile, 'utf8').trim()) : null;
  const stopMs = await core.stop();
  const exit = await core.exited;
  const at = milestones(text.split('\n'), spawnedEpochMs);
  // The core must stop its private redis-server on the way out.
  const redisLeft = redisPid !== null && existsSync(`/proc/${redisPid}`);
  return { readyMs, stopMs, exit, redisLeft, ...at };
}

runBench('embedded-start', 300, async () => {
  requireBuild();
  header('Embedded start: spawn → first /readyz 200 (PGlite + private redis-server)', [
    `core: ${coreLabel()}, no DATABASE_URL, no REDIS_URL; redis-server ${redisVersion()}`,
    `${runs} runs; each: a fresh empty data directory, then the same directory reopened`,
    'milestones from the core’s own log (LOG_LEVEL=info), in ms since spawn; no SERVERBOX_MASTER_KEY (the key file is generated on the empty start)',
  ]);
  const results = { empty: [], reopened: [] };
  for (let i = 0; i < runs; i++) {
    const dir = tempDir('sb-bench-embedded-');
    results.empty.push(await start(dir));
    results.reopened.push(await start(dir));
  }

  const rows = [];
  for (const [kind, rs] of Object.entries(results)) {
    rs.forEach((r, i) => {
      rows.push([
        `${kind} #${i + 1}`,
        fmt(r.redis, 0),
        fmt(r.listening, 0),
        fmt(r.readyMs, 0),
        fmt(r.stopMs, 0),
        `${r.exit.code ?? r.exit.signal}${r.redisLeft ? ' (redis-server left running!)' : ''}`,
      ]);
    });
  }
  table(['start', 'redis up ms', 'listening ms', 'ready ms', 'SIGTERM → exit ms', 'exit'], rows);
  console.log('');
  const med = (kind, k) => median(results[kind].map((r) => r[k]));
  table(
    ['median', 'redis up ms', 'listening ms', 'ready ms', 'SIGTERM → exit ms'],
    Object.keys(results).map((kind) => [
      kind,
      fmt(med(kind, 'redis'), 0),
      fmt(med(kind, 'listening'), 0),
      fmt(med(kind, 'readyMs'), 0),
      fmt(med(kind, 'stopMs'), 0),
    ]),
  );
  const reopened = med('reopened', 'readyMs');
  console.log(
    `\nempty / reopened ready time: ${fmt(med('empty', 'readyMs') / reopened, 2)}x` +
      `\ngoal: reopened start <= ${goalReopenedMs} ms: ${reopened <= goalReopenedMs ? 'MET' : 'NOT MET'} (median ${fmt(reopened, 0)} ms)`,
  );
  const bad = Object.values(results)
    .flat()
    .filter((r) => r.exit.code !== 0 || r.redisLeft);
  if (bad.length) throw new Error(`${bad.length} starts did not stop cleanly (exit code or leftover redis-server)`);
});
