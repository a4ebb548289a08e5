// SSH exec latency of `true`, side by side in one run: the pool's warm connection
// (core/dist/ssh/pool.js) against a fresh `ssh` CLI connection per command and against
// OpenSSH ControlMaster multiplexing (the master set up by the first call, then measured).
// Rounds alternate the methods so the machine's noise hits them alike. The node logs in as
// sbx-sudo (a skeleton ~/.bashrc); one root node shows what root's ~/.bashrc (pyenv init)
// adds to every command, since sshd runs each exec through the login shell.
//
// usage: node core/bench/ssh-exec.bench.mjs   (root; `. scripts/test-env.sh`; core built)
// Knobs (env): BENCH_ROUNDS=3, BENCH_EXECS=200 (pooled and ControlMaster, per round),
// BENCH_FRESH=20 (fresh ssh and fresh pool connections, per round).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fail, fmt, header, onCleanup, runBench, summarize, table } from './lib/common.mjs';
import {
  clientKey,
  loadSsh,
  poolFor,
  requireRoot,
  resolverFor,
  runTimed,
  sshClient,
  sshLine,
  startNodes,
  timeSequential,
} from './lib/ssh.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const execs = Number(process.env.BENCH_EXECS ?? 200);
const fresh = Number(process.env.BENCH_FRESH ?? 20);
const goal = { p50Ms: 5, vsFresh: 20 };

runBench('ssh-exec', 600, async () => {
  requireRoot();
  const { SshPool, run } = await loadSsh();
  const key = await clientKey();
  const [node] = await startNodes(1, key, { name: 'bench-exec' });
  const [rootNode] = await startNodes(1, key, { name: 'bench-exec-root', user: 'root' });
  const cli = sshClient([node, rootNode], key);
  const controlPath = join(cli.dir, 'cm-%C');
  const cm = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${controlPath}`, '-o', 'ControlPersist=60'];
  onCleanup(() => runTimed('ssh', cli.ssh(node, [], ['-o', `ControlPath=${controlPath}`, '-O', 'exit'])));

  header('SSH exec latency: `true`, pooled vs fresh ssh vs ControlMaster', [
    sshLine(),
    `node user sbx-sudo (skeleton ~/.bashrc), MaxSessions 10; ${rounds} rounds × ${execs} pooled / ${execs} ControlMaster / ${fresh} fresh`,
  ]);

  const pool = poolFor(SshPool, [node, rootNode], key);
  const ok = (r) => {
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  };
  const pooled = (n) => pool.exec(n.dir, run('true')).then(ok);
  const sshTrue = (n, extra = []) => runTimed('ssh', cli.ssh(n, ['true'], extra)).then(ok);
  const spawnTrue = () =>
    new Promise((resolve, reject) => {
      const c = spawn('true', [], { stdio: 'ignore' });
      c.on('error', reject);
      c.on('close', resolve);
    });

  // Warm-up: the pool connects, the ControlMaster master starts (its first call is the
  // setup and is reported on its own), sshd and the page cache have run everything once.
  const t0 = performance.now();
  await pooled(node);
  const poolFirstMs = performance.now() - t0;
  const t1 = performance.now();
  await sshTrue(node, cm);
  const cmFirstMs = performance.now() - t1;
  await timeSequential(20, () => pooled(node));
  await timeSequential(5, () => sshTrue(node, cm));
  await timeSequential(3, () => sshTrue(node));
  await timeSequential(3, () => pooled(rootNode));

  const samples = {
    spawn: [],
    pooled: [],
    controlMaster: [],
    fresh: [],
    freshPool: [],
    rootPooled: [],
    rootFresh: [],
  };
  for (let r = 0; r < rounds; r++) {
    samples.pooled.push(...(await timeSequential(execs, () => pooled(node))));
    samples.controlMaster.push(...(await timeSequential(execs, () => sshTrue(node, cm))));
    samples.fresh.push(...(await timeSequential(fresh, () => sshTrue(node))));
    // A new pool per command: the ssh2 handshake (curve25519, ed25519 auth) + the exec.
    samples.freshPool.push(
      ...(await timeSequential(fresh, async () => {
        const p = new SshPool({ resolve: resolverFor([node], key) });
        try {
          await p.exec(node.dir, run('true')).then(ok);
        } finally {
          await p.close();
        }
      })),
    );
    samples.spawn.push(...(await timeSequential(execs / 4, spawnTrue)));
    samples.rootPooled.push(...(await timeSequential(execs / 4, () => pooled(rootNode))));
    samples.rootFresh.push(...(await timeSequential(Math.ceil(fresh / 4), () => sshTrue(rootNode))));
  }

  const s = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
  const row = (label, x) => [label, x.n, fmt(x.p50, 2), fmt(x.p90, 2), fmt(x.p99, 2), fmt(x.max, 2)];
  table(
    ['method (exec of `true`)', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
    [
      row('pool, warm connection', s.pooled),
      row('ssh ControlMaster (master up)', s.controlMaster),
      row('ssh, fresh connection', s.fresh),
      row('pool, fresh connection (new pool)', s.freshPool),
      row('(floor) spawn `true` locally', s.spawn),
      row('root node: pool, warm', s.rootPooled),
      row('root node: ssh, fresh', s.rootFresh),
    ],
  );
  console.log(
    `\nfirst calls: pool connect + exec ${fmt(poolFirstMs, 1)} ms; ControlMaster setup + exec ${fmt(cmFirstMs, 1)} ms`,
  );
  const vsFresh = s.fresh.p50 / s.pooled.p50;
  const vsCm = s.controlMaster.p50 / s.pooled.p50;
  const rootCost = s.rootPooled.p50 - s.pooled.p50;
  console.log(
    `ratios (p50): fresh ssh / pool ${fmt(vsFresh, 1)}×; ControlMaster / pool ${fmt(vsCm, 1)}×; p99 ControlMaster / pool ${fmt(s.controlMaster.p99 / s.pooled.p99, 1)}×`,
  );
  console.log(
    `root's ~/.bashrc adds ${fmt(rootCost, 1)} ms to every pooled exec (p50 root ${fmt(s.rootPooled.p50, 1)} ms)`,
  );
  const met = (b) => (b ? 'met' : 'NOT met');
  console.log(
    `goals: pooled p50 ≤ ${goal.p50Ms} ms: ${met(s.pooled.p50 <= goal.p50Ms)}; ≥ ${goal.vsFresh}× faster than fresh: ${met(vsFresh >= goal.vsFresh)}; no slower than ControlMaster: ${met(s.pooled.p50 <= s.controlMaster.p50)}`,
  );
  const st = pool.stats(node.dir);
  if (st.connects !== 1) fail(`the pool reconnected during the run (${st.connects} connects): numbers are not warm`);
});
