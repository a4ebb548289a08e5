// Shared helpers for the SSH benchmarks: real OpenSSH sshd nodes (the test harness's
// core/test/helpers/sshd.mjs), the BUILT pool (core/dist/ssh/pool.js), and the OpenSSH client
// (`ssh`, `scp`) run the way a script would run it. Plain ESM, like the other bench helpers.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { clientKey, knownHostsLine, startSshd } from '../../test/helpers/sshd.mjs';
import { coreDist, fail, onCleanup, tempDir } from './common.mjs';

export { clientKey };

/** The pool and the command builder as the core ships them (core/dist). */
export async function loadSsh() {
  const poolJs = join(coreDist, 'ssh/pool.js');
  if (!existsSync(poolJs)) fail('core/dist/ssh/pool.js is missing: run `npm run build -w @serverbox/core`');
  const pool = await import(pathToFileURL(poolJs).href);
  const command = await import(pathToFileURL(join(coreDist, 'ssh/command.js')).href);
  return { SshPool: pool.SshPool, ...command };
}

export function requireRoot() {
  if (process.getuid?.() !== 0)
    fail('the SSH benches start sshd nodes and need root (and `. scripts/test-env.sh` for the users)');
  try {
    execFileSync('id', ['-u', 'sbx-sudo'], { stdio: 'ignore' });
  } catch {
    fail('user sbx-sudo is missing: source scripts/test-env.sh as root first');
  }
}

/**
 * Starts `count` nodes (at most 8 at a time: each one runs ssh-keygen and `sshd -t` first),
 * authorizes `key` on each and registers their shutdown.
 * @param {{ name?: string; user?: string; maxSessions?: number }} opts
 */
export async function startNodes(count, key, opts = {}) {
  const nodes = [];
  onCleanup(() => Promise.all(nodes.map((n) => n.close())));
  for (let i = 0; i < count; i += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, count - i) }, () =>
        startSshd({ name: opts.name ?? 'bench', user: opts.user ?? 'sbx-sudo', maxSessions: opts.maxSessions }),
      ),
    );
    nodes.push(...batch);
  }
  await Promise.all(nodes.map((n) => n.authorize(key.publicKey)));
  return nodes;
}

/** What the pool's resolve() returns for a harness node. */
export function targetOf(node, key, maxChannels = 8) {
  return {
    nodeId: node.dir,
    name: node.name,
    host: node.host,
    port: node.port,
    username: node.user,
    privateKey: key.privateKey,
    pinnedFingerprint: node.hostKeyFingerprint,
    maxChannels,
  };
}

/** The pool's resolve() for these nodes (node id = the node's directory). */
export function resolverFor(nodes, key, maxChannels = 8) {
  const byId = new Map(nodes.map((n) => [n.dir, n]));
  return async (nodeId) => {
    const n = byId.get(nodeId);
    if (!n) throw new Error(`unknown node ${nodeId}`);
    return targetOf(n, key, maxChannels);
  };
}

/** A pool over these nodes, closed at cleanup. */
export function poolFor(SshPool, nodes, key, { maxChannels = 8, ...knobs } = {}) {
  const pool = new SshPool({ ...knobs, resolve: resolverFor(nodes, key, maxChannels) });
  onCleanup(() => pool.close());
  return pool;
}

/**
 * OpenSSH client options that verify the node's pinned host key (a known_hosts file holding
 * only these nodes) and ignore ~/.ssh/config: what a careful script would run.
 */
export function sshClient(nodes, key) {
  const dir = tempDir('sb-bench-ssh-');
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `${nodes.map((n) => knownHostsLine(n)).join('\n')}\n`);
  const base = [
    '-F',
    '/dev/null',
    '-i',
    key.path,
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'LogLevel=ERROR',
  ];
  return {
    dir,
    knownHosts,
    /** `ssh … -p port user@host <command…>`; `extra` are more options (before the host). */
    ssh: (node, command, extra = []) => [
      ...base,
      ...extra,
      '-p',
      String(node.port),
      `${node.user}@${node.host}`,
      ...command,
    ],
    /** `scp … -P port <from> <to>`; `remote(path)` names a path on the node. */
    scp: (node, from, to, extra = []) => [...base, ...extra, '-P', String(node.port), from, to],
    remote: (node, path) => `${node.user}@${node.host}:${path}`,
  };
}

/**
 * Runs a program to completion; resolves with its exit code, stderr and wall time (ms).
 * `stdin`: a Readable piped in; `stdout`: a file descriptor to write to (default: discarded).
 */
export function runTimed(program, args, { stdin, stdout } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(program, args, { stdio: [stdin ? 'pipe' : 'ignore', stdout ?? 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    if (stdin) {
      child.stdin.on('error', () => {});
      stdin.pipe(child.stdin);
    }
    child.on('close', (code) => resolve({ code, stderr, ms: performance.now() - t0 }));
  });
}

/** Runs `fn` `n` times one after another; returns the durations (ms). Throws on a failure. */
export async function timeSequential(n, fn) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

/** OpenSSH and ssh2 versions and whether ssh2's native crypto binding loads, for headers. */
export function sshVersions() {
  // `ssh -V` prints to stderr.
  const openssh = spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim().split(',')[0] || '?';
  // ssh2 is a dependency of core: resolve it from there.
  const req = createRequire(join(coreDist, '..', 'package.json'));
  let ssh2 = '?';
  let native = 'no';
  try {
    ssh2 = req('ssh2/package.json').version;
    req('ssh2/lib/protocol/crypto/build/Release/sshcrypto.node');
    native = 'yes';
  } catch {
    // not built (npm install scripts blocked): ssh2 falls back to pure JS for some ciphers
  }
  return { openssh, ssh2, native };
}

/** The line the SSH benches print under their header. */
export function sshLine() {
  const v = sshVersions();
  return `${v.openssh}; ssh2 ${v.ssh2} (native crypto binding: ${v.native}); sshd nodes on 127.0.0.1 (core/test/helpers/sshd.mjs)`;
}
