// Bulk transfer of 256 MiB of random bytes, both directions, side by side in one run:
// - the pool streaming through exec: upload pipes a file Readable into `cat > file`
//   (ExecOptions.stdin); download runs `cat file` and takes the bytes in onStdout (with
//   maxOutputBytes above the size, because the pool also keeps stdout for its result);
// - `scp` (OpenSSH 9.x: the SFTP protocol underneath), a fresh connection per copy;
// - `ssh host 'cat > file' < file` and `ssh host cat file > file`: the same streaming as the
//   pool but with OpenSSH's client, to separate "exec streaming" from "ssh2".
// Both ends run on this machine (loopback), so every row pays for the client's AND sshd's
// encryption on the same two cores. Every copy is checked (size and SHA-256) and removed.
//
// usage: node core/bench/ssh-transfer.bench.mjs   (root; `. scripts/test-env.sh`; core built)
// Knobs (env): BENCH_MIB=256, BENCH_ROUNDS=2, BENCH_CIPHER (for ssh/scp, default: OpenSSH's own choice).

import { execFileSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import {
  chownSync,
  closeSync,
  createReadStream,
  createWriteStream,
  openSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { fmt, header, median, onCleanup, runBench, table, tempDir } from './lib/common.mjs';
import { clientKey, loadSsh, poolFor, requireRoot, runTimed, sshClient, sshLine, startNodes } from './lib/ssh.mjs';

const mib = Number(process.env.BENCH_MIB ?? 256);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const cipher = process.env.BENCH_CIPHER;
const size = mib * 1024 * 1024;

function sha256File(path) {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

runBench('ssh-transfer', 900, async () => {
  requireRoot();
  const { SshPool, run, redirect, operands } = await loadSsh();
  const key = await clientKey();
  const [node] = await startNodes(1, key, { name: 'bench-xfer' });
  const cli = sshClient([node], key);
  const extra = cipher ? ['-c', cipher] : [];

  // Local side (the core's machine) and the node's side: a directory the login user owns.
  const local = tempDir('sb-bench-xfer-local-');
  const remote = tempDir('sb-bench-xfer-node-');
  const uid = Number(execFileSync('id', ['-u', node.user], { encoding: 'utf8' }));
  chownSync(remote, uid, uid);
  const source = join(local, 'source.bin');
  const fd = openSync(source, 'w');
  const chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
  const hash = createHash('sha256');
  for (let i = 0; i < size; i += chunk.length) {
    randomFillSync(chunk);
    writeSync(fd, chunk);
    hash.update(chunk);
  }
  closeSync(fd);
  const sourceSha = hash.digest('hex');

  const pool = poolFor(SshPool, [node], key);
  await pool.exec(node.dir, run('true'));

  header(`SSH bulk transfer: ${mib} MiB of random bytes, pool (exec streaming) vs scp`, [
    sshLine(),
    `node user sbx-sudo on loopback; pool cipher: its first preference aes128-gcm@openssh.com; ssh/scp cipher: ${cipher ?? "OpenSSH's default (chacha20-poly1305@openssh.com)"}; ${rounds} rounds`,
  ]);

  const verify = async (path, what) => {
    const st = statSync(path);
    if (st.size !== size) throw new Error(`${what}: ${st.size} bytes, expected ${size}`);
    if ((await sha256File(path)) !== sourceSha) throw new Error(`${what}: content differs`);
  };
  const ok = (r, what) => {
    if (r.code !== 0) throw new Error(`${what}: exit ${r.code}: ${r.stderr}`);
  };
  const results = {};
  const add = (name, ms, extraCols = {}) => {
    results[name] ??= { ms: [], ...Object.fromEntries(Object.keys(extraCols).map((k) => [k, []])) };
    results[name].ms.push(ms);
    for (const [k, v] of Object.entries(extraCols)) results[name][k].push(v);
  };
  const target = join(remote, 'upload.bin');
  const back = join(local, 'download.bin');
  onCleanup(() => rmSync(target, { force: true }));

  for (let r = 0; r < rounds; r++) {
    // pool upload: file → stdin of `cat > target`
    let t = performance.now();
    ok(
      await pool.exec(node.dir, redirect(run('cat'), '>', target), {
        stdin: createReadStream(source),
        timeoutMs: 600_000,
      }),
      'pool upload',
    );
    add('pool ↑ (stdin → cat > file)', performance.now() - t);
    await verify(target, 'pool upload');

    // pool download: `cat target` → onStdout → a local file; once as exec keeps output by
    // default (collected and decoded for the result too), once with keepStdout: false.
    for (const keepStdout of [true, false]) {
      const out = createWriteStream(back);
      let got = 0;
      let lastByteAt = 0;
      t = performance.now();
      const res = await pool.exec(node.dir, run('cat', operands(target)), {
        maxOutputBytes: size + 1024 * 1024,
        keepStdout,
        timeoutMs: 600_000,
        onStdout(c) {
          got += c.length;
          out.write(c);
          if (got === size) lastByteAt = performance.now();
        },
      });
      ok(res, 'pool download');
      // Until the local file is written, as for scp and ssh (onStdout cannot wait for it).
      await new Promise((resolve) => out.end(resolve));
      const totalMs = performance.now() - t;
      add(keepStdout ? 'pool ↓ (cat file → onStdout)' : 'pool ↓ keepStdout: false', totalMs, {
        lastByteMs: lastByteAt - t,
      });
      await verify(back, 'pool download');
      rmSync(back, { force: true });
    }
    rmSync(target, { force: true });

    // scp both ways (fresh connection each)
    t = performance.now();
    ok(await runTimed('scp', cli.scp(node, source, cli.remote(node, target), extra)), 'scp upload');
    add('scp ↑', performance.now() - t);
    await verify(target, 'scp upload');
    t = performance.now();
    ok(await runTimed('scp', cli.scp(node, cli.remote(node, target), back, extra)), 'scp download');
    add('scp ↓', performance.now() - t);
    await verify(back, 'scp download');
    rmSync(back, { force: true });
    rmSync(target, { force: true });

    // OpenSSH client streaming through exec, like the pool
    t = performance.now();
    ok(
      await runTimed('ssh', cli.ssh(node, [`cat > '${target}'`], extra), { stdin: createReadStream(source) }),
      'ssh upload',
    );
    add("ssh ↑ ('cat > file' < file)", performance.now() - t);
    await verify(target, 'ssh upload');
    t = performance.now();
    const sink = openSync(back, 'w');
    ok(await runTimed('ssh', cli.ssh(node, [`cat '${target}'`], extra), { stdout: sink }), 'ssh download');
    closeSync(sink);
    add('ssh ↓ (cat file > file)', performance.now() - t);
    await verify(back, 'ssh download');
    rmSync(back, { force: true });
    rmSync(target, { force: true });
  }

  const mbps = (ms) => size / 1e6 / (ms / 1000);
  const rowsOut = Object.entries(results).map(([name, v]) => [
    name,
    v.ms.length,
    fmt(median(v.ms) / 1000, 2),
    fmt(mbps(median(v.ms)), 0),
    v.lastByteMs ? fmt(mbps(median(v.lastByteMs)), 0) : '–',
  ]);
  table(['transfer (median of rounds)', 'rounds', 's', 'MB/s', 'MB/s to last byte'], rowsOut);
  const m = (name) => mbps(median(results[name].ms));
  console.log(
    `\nratios (MB/s): pool ↑ / scp ↑ = ${fmt(m('pool ↑ (stdin → cat > file)') / m('scp ↑'), 2)}×; pool ↓ / scp ↓ = ${fmt(m('pool ↓ (cat file → onStdout)') / m('scp ↓'), 2)}×; ` +
      `pool ↓ keepStdout: false / scp ↓ = ${fmt(m('pool ↓ keepStdout: false') / m('scp ↓'), 2)}×; pool ↑ / ssh ↑ = ${fmt(m('pool ↑ (stdin → cat > file)') / m("ssh ↑ ('cat > file' < file)"), 2)}×; pool ↓ / ssh ↓ = ${fmt(m('pool ↓ (cat file → onStdout)') / m('ssh ↓ (cat file > file)'), 2)}×`,
  );
  console.log('(MB = 10^6 bytes; every copy verified by size and SHA-256, then removed)');
});
