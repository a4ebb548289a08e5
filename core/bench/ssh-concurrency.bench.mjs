// 1,000 execs of `true` at concurrency 50 against ONE node whose sshd allows MaxSessions 10
// channels per connection: the pool must queue, open a second connection, and treat a
// refused channel as back-pressure, with no failure. Two pools, one after the other: one told
// the node's real limit (maxChannels 8, the core's default for a node), one told too much
// (maxChannels 16: the pool must learn the limit from sshd's refusals).
//
// usage: node core/bench/ssh-concurrency.bench.mjs   (root; `. scripts/test-env.sh`; core built)
// Knobs (env): BENCH_EXECS=1000, BENCH_CONCURRENCY=50.
import { fmt, header, runBench, summarize, table } from './lib/common.mjs';
import { clientKey, loadSsh, poolFor, requireRoot, sshLine, startNodes } from './lib/ssh.mjs';

const total = Number(process.env.BENCH_EXECS ?? 1000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const maxSessions = 10;

runBench('ssh-concurrency', 300, async () => {
  requireRoot();
  const { SshPool, run } = await loadSsh();
  const key = await clientKey();
  const [node] = await startNodes(1, key, { name: 'bench-conc', maxSessions });

  header(
    `SSH concurrency: ${total} execs of \`true\` at concurrency ${concurrency}, one node with MaxSessions ${maxSessions}`,
    [sshLine(), 'node user sbx-sudo; pool defaults otherwise (maxConnectionsPerNode 2); each pool starts cold'],
  );

  const rows = [];
  const statRows = [];
  for (const maxChannels of [8, 16]) {
    const pool = poolFor(SshPool, [node], key, { maxChannels });
    const refusedBefore = (node.log.match(/no more sessions/g) ?? []).length;
    const latencies = [];
    const failures = [];
    let next = 0;
    let peakInUse = 0;
    const sampler = setInterval(() => {
      peakInUse = Math.max(peakInUse, pool.stats(node.dir).channelsInUse);
    }, 5);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          next++;
          const s = performance.now();
          try {
            const r = await pool.exec(node.dir, run('true'), { timeoutMs: 60_000 });
            if (r.code !== 0) failures.push(`exit ${r.code}: ${r.stderr.trim()}`);
            else latencies.push(performance.now() - s);
          } catch (e) {
            failures.push(`${e.code ?? ''} ${e.message}`);
          }
        }
      }),
    );
    const wallMs = performance.now() - t0;
    clearInterval(sampler);
    const st = pool.stats(node.dir);
    const refused = (node.log.match(/no more sessions/g) ?? []).length - refusedBefore;
    const x = summarize(latencies);
    rows.push([
      `maxChannels ${maxChannels}`,
      total,
      failures.length,
      fmt(total / (wallMs / 1000), 0),
      fmt(x.p50, 1),
      fmt(x.p99, 1),
      fmt(x.max, 1),
      fmt(wallMs / 1000, 2),
    ]);
    statRows.push([`maxChannels ${maxChannels}`, st.connects, st.connections, st.channelCapacity, peakInUse, refused]);
    if (failures.length)
      console.log(`failures (maxChannels ${maxChannels}): ${[...new Set(failures)].slice(0, 5).join('; ')}`);
    await pool.close();
  }
  table(['pool', 'execs', 'failures', 'execs/s', 'p50 ms', 'p99 ms', 'max ms', 'wall s'], rows);
  console.log('');
  table(
    [
      'pool',
      'connections opened',
      'connections at end',
      'channel capacity (sum, learned)',
      'peak channels in use',
      'channels refused by sshd',
    ],
    statRows,
  );
  console.log('\n(latency includes the wait for a free channel: 50 callers share at most 2 × capacity channels)');
  console.log(`goal: 0 failures: ${rows.every((r) => r[2] === 0) ? 'met' : 'NOT met'}`);
});
