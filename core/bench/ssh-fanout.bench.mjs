// Fan-out: one command (`true`) to 24 sshd nodes at once through one pool, against the same
// command on a single node, each with the pool warm (connections up) and cold (a new pool:
// TCP connect, curve25519 key exchange and ed25519 auth included). For reference, the same
// fan-out with 24 `ssh` CLI processes in parallel (a fresh connection each, as a shell loop
// with `&` or a parallel-ssh tool would run it), and the warm fan-out done sequentially.
//
// usage: node core/bench/ssh-fanout.bench.mjs   (root; `. scripts/test-env.sh`; core built)
// Knobs (env): BENCH_NODES=24, BENCH_ROUNDS=30 (warm), BENCH_COLD_ROUNDS=5.
import { fmt, header, runBench, summarize, table } from './lib/common.mjs';
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
} from './lib/ssh.mjs';

const count = Number(process.env.BENCH_NODES ?? 24);
const warmRounds = Number(process.env.BENCH_ROUNDS ?? 30);
const coldRounds = Number(process.env.BENCH_COLD_ROUNDS ?? 5);

runBench('ssh-fanout', 600, async () => {
  requireRoot();
  const { SshPool, run } = await loadSsh();
  const key = await clientKey();
  const t0 = performance.now();
  const nodes = await startNodes(count, key, { name: 'bench-fan' });
  const startMs = performance.now() - t0;
  const cli = sshClient(nodes, key);

  header(`SSH fan-out: \`true\` on ${count} nodes at once vs on one node`, [
    sshLine(),
    `${count} sshd nodes (user sbx-sudo) started in ${fmt(startMs / 1000, 1)} s; ${warmRounds} warm rounds, ${coldRounds} cold rounds (a new pool each)`,
  ]);

  const check = (r) => {
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  };
  const timed = async (f) => {
    const s = performance.now();
    await f();
    return performance.now() - s;
  };
  const onAll = (pool, ns) => Promise.all(ns.map((n) => pool.exec(n.dir, run('true')).then(check)));
  const resolve = resolverFor(nodes, key);

  const warm = poolFor(SshPool, nodes, key);
  await onAll(warm, nodes); // connect everything
  await onAll(warm, nodes);

  const s = { single: [], fan: [], seq: [], coldSingle: [], coldFan: [], cliFan: [], cliSingle: [] };
  for (let r = 0; r < warmRounds; r++) {
    s.single.push(await timed(() => onAll(warm, [nodes[r % count]])));
    s.fan.push(await timed(() => onAll(warm, nodes)));
    if (r < 10)
      s.seq.push(
        await timed(async () => {
          for (const n of nodes) await onAll(warm, [n]);
        }),
      );
  }
  const cold = async (ns) => {
    const p = new SshPool({ resolve });
    try {
      return await timed(() => onAll(p, ns));
    } finally {
      await p.close();
    }
  };
  const cliOn = (ns) => Promise.all(ns.map((n) => runTimed('ssh', cli.ssh(n, ['true'])).then(check)));
  for (let r = 0; r < coldRounds; r++) {
    s.coldSingle.push(await cold([nodes[r % count]]));
    s.coldFan.push(await cold(nodes));
    s.cliSingle.push(await timed(() => cliOn([nodes[r % count]])));
    s.cliFan.push(await timed(() => cliOn(nodes)));
  }

  const x = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, summarize(v)]));
  const row = (label, v) => [label, v.n, fmt(v.p50, 1), fmt(v.p90, 1), fmt(v.max, 1)];
  table(
    ['total time until every node answered', 'rounds', 'p50 ms', 'p90 ms', 'max ms'],
    [
      row('pool warm: 1 node', x.single),
      row(`pool warm: ${count} nodes at once`, x.fan),
      row(`pool warm: ${count} nodes one after another`, x.seq),
      row('pool cold: 1 node', x.coldSingle),
      row(`pool cold: ${count} nodes at once`, x.coldFan),
      row('ssh CLI (fresh): 1 node', x.cliSingle),
      row(`ssh CLI (fresh): ${count} nodes at once`, x.cliFan),
    ],
  );
  console.log(
    `\nratios (p50): warm ${count} / warm 1 = ${fmt(x.fan.p50 / x.single.p50, 1)}×; cold ${count} / cold 1 = ${fmt(x.coldFan.p50 / x.coldSingle.p50, 1)}×; ` +
      `ssh CLI ${count} / pool warm ${count} = ${fmt(x.cliFan.p50 / x.fan.p50, 1)}×; ssh CLI ${count} / pool cold ${count} = ${fmt(x.cliFan.p50 / x.coldFan.p50, 1)}×`,
  );
  console.log(
    `per node at once (warm): ${fmt(x.fan.p50 / count, 2)} ms; one after another: ${fmt(x.seq.p50 / count, 2)} ms`,
  );
});
