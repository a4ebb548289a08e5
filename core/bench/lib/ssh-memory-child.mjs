// The "core side" for ssh-memory.bench.mjs: a Node process holding only the pool (core/dist),
// so its RSS is the pool's and nothing else's (the bench's own process also runs the sshd
// harness). Started with --expose-gc through fork(); takes its nodes over IPC and answers with
// memory samples. Layout `spread`: one connection per node; layout `stacked`: several
// connections per node, forced by maxChannels 1 and as many concurrent `sleep`s.
import { loadSsh, resolverFor } from './ssh.mjs';

const sample = (label) => {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { label, rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
};

process.once('message', async ({ nodes, warmNode, key, perNode }) => {
  try {
    const { SshPool, run } = await loadSsh();
    // One connection to another node first, closed again: the baseline then includes the
    // code ssh2 compiles and the buffers it allocates once, not only the modules.
    const warm = new SshPool({ resolve: resolverFor([warmNode], key) });
    await warm.exec(warmNode.dir, run('true'));
    await warm.close();
    await new Promise((r) => setTimeout(r, 200));
    const pool = new SshPool({
      resolve: resolverFor(nodes, key, perNode > 1 ? 1 : 8),
      maxConnectionsPerNode: perNode,
    });
    const samples = [sample('pool created, no connection')];
    const exec = (n, cmd) =>
      pool.exec(n.dir, cmd).then((r) => {
        if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
      });
    const cmd = perNode > 1 ? run('sleep', '2') : run('true');
    await Promise.all(nodes.flatMap((n) => Array.from({ length: perNode }, () => exec(n, cmd))));
    const connections = pool.totalConnections();
    samples.push(sample(`${connections} connections, warm, idle`));
    for (let i = 0; i < 5; i++) await Promise.all(nodes.map((n) => exec(n, run('true'))));
    samples.push(sample(`after 5 more execs on each node`));
    await pool.close();
    await new Promise((r) => setTimeout(r, 500));
    samples.push(sample('pool closed'));
    process.send({ samples, connections });
  } catch (e) {
    process.send({ error: e.stack ?? String(e) });
  }
});
