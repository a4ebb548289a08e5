// Core-side memory of 50 warm pooled SSH connections: RSS (and V8 heap, external buffers) of a
// process that holds only the pool (lib/ssh-memory-child.mjs, with --expose-gc so each sample
// follows a full GC), before and after. Two layouts, each in a fresh process:
// - spread: 50 sshd nodes, one connection each (a fleet of 50 nodes, the normal case);
// - stacked: 5 nodes × 10 connections (maxConnectionsPerNode 10, maxChannels 1 and 10
//   concurrent `sleep 2` per node force a connection per command).
// Per-connection state on our side is one TCP socket, one ssh2 Client (its cipher contexts and
// buffers) and the pool's bookkeeping; sshd's side (a process per connection) is not counted.
//
// usage: node core/bench/ssh-memory.bench.mjs   (root; `. scripts/test-env.sh`; core built)
// Knobs (env): BENCH_CONNECTIONS=50.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt, header, onCleanup, runBench, table } from './lib/common.mjs';
import { clientKey, requireRoot, sshLine, startNodes } from './lib/ssh.mjs';

const total = Number(process.env.BENCH_CONNECTIONS ?? 50);
const child = fileURLToPath(new URL('./lib/ssh-memory-child.mjs', import.meta.url));

const wire = (n) => ({
  dir: n.dir,
  name: n.name,
  host: n.host,
  port: n.port,
  user: n.user,
  hostKeyFingerprint: n.hostKeyFingerprint,
});

function measure(nodes, warmNode, key, perNode) {
  return new Promise((resolve, reject) => {
    const c = fork(child, [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    onCleanup(() => c.kill('SIGKILL'));
    c.once('message', (m) => {
      c.kill();
      if (m.error) reject(new Error(m.error));
      else resolve(m);
    });
    c.once('exit', (code) => reject(new Error(`the pool process exited (${code}) without an answer`)));
    c.send({
      nodes: nodes.map(wire),
      warmNode: wire(warmNode),
      key: { privateKey: key.privateKey },
      perNode,
    });
  });
}

runBench('ssh-memory', 300, async () => {
  requireRoot();
  const key = await clientKey();
  const [warmNode, ...nodes] = await startNodes(total + 1, key, { name: 'bench-mem' });

  header(`SSH pool memory: ${total} warm connections`, [
    sshLine(),
    `the pool alone in a child process (node --expose-gc; a full GC before each sample); ${total} sshd nodes (user sbx-sudo)`,
  ]);

  const layouts = [
    ['spread', nodes, 1],
    ['stacked', nodes.slice(0, Math.max(1, Math.round(total / 10))), 10],
  ];
  const mb = (b) => fmt(b / 1024 / 1024, 1);
  const summary = [];
  for (const [name, ns, perNode] of layouts) {
    const m = await measure(ns, warmNode, key, perNode);
    console.log(`\n${name}: ${ns.length} nodes × ${perNode} connection(s)`);
    table(
      ['sample', 'RSS MB', 'heap used MB', 'external MB'],
      m.samples.map((s) => [s.label, mb(s.rss), mb(s.heapUsed), mb(s.external)]),
    );
    const [before, after] = m.samples;
    const per = (k) => (after[k] - before[k]) / m.connections / 1024;
    summary.push([
      `${name} (${ns.length} × ${perNode})`,
      m.connections,
      mb(before.rss),
      mb(after.rss),
      fmt(per('rss'), 0),
      fmt(per('heapUsed'), 0),
      fmt(per('external'), 0),
    ]);
  }
  console.log('');
  table(
    ['layout', 'connections', 'RSS before MB', 'RSS after MB', 'RSS kB/conn', 'heap kB/conn', 'external kB/conn'],
    summary,
  );
});
