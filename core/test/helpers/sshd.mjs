// Real OpenSSH sshd "nodes" for tests and benchmarks: each one is /usr/sbin/sshd in the
// foreground (-D) on its own port, with its own config, ed25519 host key, authorized_keys and
// log under /tmp/serverbox-sshd/<name>-<random>. Plain ESM so that vitest tests (through
// sshd.d.mts) and the .mjs benchmarks under core/bench share it. Needs root: sshd must run as
// root to switch to the login user, and the jump pair uses a network namespace.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export const SSHD_ROOT = '/tmp/serverbox-sshd';
const SSHD = '/usr/sbin/sshd';
const READY_TIMEOUT_MS = 15_000;

// ---- processes -------------------------------------------------------------------------

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 15_000, ...opts }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${String(stderr).trim() || err.message}`));
      else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function procStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' '); // [0] state, [1] ppid, [19] starttime
  } catch {
    return null;
  }
}

function alive(pid) {
  const st = procStat(pid);
  return st !== null && st[0] !== 'Z'; // a zombie is dead, only not yet reaped
}

/** All descendants of pid. sshd's per-connection processes call setsid(), so process groups
 * miss them; the parent links in /proc do not. */
function descendants(pid) {
  const children = new Map();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const st = procStat(e);
    if (!st) continue;
    const list = children.get(st[1]) ?? [];
    list.push(Number(e));
    children.set(st[1], list);
  }
  const out = [];
  const queue = [pid];
  while (queue.length) {
    for (const c of children.get(String(queue.shift())) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function signal(pids, sig) {
  for (const p of pids) {
    try {
      process.kill(p, sig);
    } catch {
      // already gone
    }
  }
}

/** SIGSTOP the root first so it forks nothing new, then its tree until no new process shows up. */
function stopTree(pid) {
  const stopped = new Set([pid]);
  signal([pid], 'SIGSTOP');
  for (;;) {
    const fresh = descendants(pid).filter((p) => !stopped.has(p));
    if (fresh.length === 0) return [...stopped];
    signal(fresh, 'SIGSTOP');
    for (const p of fresh) stopped.add(p);
  }
}

async function killTree(pid) {
  const pids = [pid, ...descendants(pid)];
  signal(pids, 'SIGTERM');
  signal(pids, 'SIGCONT'); // a frozen process only acts on SIGTERM once continued
  const deadline = Date.now() + 3000;
  while (pids.some(alive) && Date.now() < deadline) await sleep(20);
  signal(pids.filter(alive), 'SIGKILL');
}

function killTreeSync(pid) {
  const pids = [pid, ...descendants(pid)];
  signal(pids, 'SIGKILL');
  signal(pids, 'SIGCONT');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- ownership, cleanup at exit and the sweep ------------------------------------------

/** "<pid> <starttime>": a pid alone may be reused by an unrelated process. */
function processIdentity(pid) {
  const st = procStat(pid);
  return st && st[0] !== 'Z' ? `${pid} ${st[19]}` : null;
}

const live = new Set(); // { dir, pid(): number|null, netns: Netns|null }
let exitHookInstalled = false;

function trackForExit(entry) {
  live.add(entry);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous: nothing async runs in an 'exit' listener. A process that dies harder than
  // this (SIGKILL, a crash) leaves its nodes to sweepSshd(), which vitest's global setup runs.
  const cleanup = () => {
    for (const e of live) {
      const pid = e.pid();
      if (pid) killTreeSync(pid);
      rmSync(e.dir, { recursive: true, force: true });
      if (e.netns) spawnSync('ip', ['netns', 'del', e.netns.name], { stdio: 'ignore' });
    }
    live.clear();
  };
  process.on('exit', cleanup);
  // Vitest ends its fork workers with SIGTERM and a benchmark may get Ctrl-C; neither runs
  // 'exit' listeners. Clean up, then die of the signal as if nobody had listened — unless
  // someone else handles it, who then decides.
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    const onSignal = () => {
      cleanup();
      if (process.listenerCount(sig) > 1) return;
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

function makeDir(prefix) {
  mkdirSync(SSHD_ROOT, { recursive: true, mode: 0o755 });
  chmodSync(SSHD_ROOT, 0o755);
  const dir = mkdtempSync(join(SSHD_ROOT, `${prefix}-`));
  // sshd reads AuthorizedKeysFile as the login user, who may not be root.
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'owner'), processIdentity(process.pid) ?? String(process.pid));
  return dir;
}

/**
 * Stops the nodes (and removes the key dirs, namespaces) under /tmp/serverbox-sshd whose owning
 * process has died, e.g. a test worker that crashed. Nodes of live processes — another test run
 * on the same machine — are left alone. Returns how many dirs it removed.
 */
export function sweepSshd() {
  if (!existsSync(SSHD_ROOT)) return 0;
  let swept = 0;
  for (const entry of readdirSync(SSHD_ROOT)) {
    const dir = join(SSHD_ROOT, entry);
    let owner = '';
    try {
      owner = readFileSync(join(dir, 'owner'), 'utf8').trim();
    } catch {
      // Being created right now, or left half-made: only the latter is ours to remove.
      try {
        if (Date.now() - statSync(dir).mtimeMs < 10 * 60_000) continue;
      } catch {
        continue;
      }
    }
    const ownerPid = Number(owner.split(' ')[0]);
    if (owner && ownerPid && processIdentity(ownerPid) === owner) continue;
    const pid = Number(readOptional(join(dir, 'listener')));
    if (pid && readOptional(`/proc/${pid}/cmdline`).includes(dir)) killTreeSync(pid);
    const ns = readOptional(join(dir, 'netns')).trim();
    if (ns) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
    swept++;
  }
  return swept;
}

function readOptional(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

// ---- keys --------------------------------------------------------------------------------

/** 'SHA256:…' exactly as `ssh-keygen -lf` prints it: unpadded base64 of sha256(key blob). */
export function fingerprintOf(publicKeyLine) {
  const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** A known_hosts line for the node, as ssh writes it ([host]:port unless the port is 22). */
export function knownHostsLine(node, host = node.host, port = node.port) {
  return `${port === 22 ? host : `[${host}]:${port}`} ${node.hostPublicKey}`;
}

async function generateKey(file, comment) {
  rmSync(file, { force: true });
  rmSync(`${file}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  // Type and base64 only: the comment is not part of the key.
  return readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

/** A throwaway ed25519 client key pair, removed when the process exits. */
export async function clientKey() {
  const dir = makeDir('key');
  trackForExit({ dir, pid: () => null, netns: null });
  const path = join(dir, 'id_ed25519');
  const publicKey = await generateKey(path, 'serverbox-test');
  return { privateKey: readFileSync(path, 'utf8'), publicKey, path };
}

// ---- one node ----------------------------------------------------------------------------

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Resolves true once something on host:port sends an SSH banner. */
function bannerAt(host, port, netns) {
  if (netns) {
    // Not reachable from here (that is the point): look from inside the namespace.
    const probe = 'exec 3<>"/dev/tcp/$0/$1" && head -c 8 <&3';
    return run('ip', ['netns', 'exec', netns, 'bash', '-c', probe, host, String(port)], { timeout: 2000 }).then(
      (r) => r.stdout.startsWith('SSH-2.0-'),
      () => false,
    );
  }
  return new Promise((resolve) => {
    let got = '';
    const s = connect(port, host);
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(2000, () => done(false));
    s.on('error', () => done(false));
    s.on('data', (d) => {
      got += d;
      if (got.includes('\n')) done(got.startsWith('SSH-2.0-'));
    });
    s.on('end', () => done(false));
  });
}

function configText(n) {
  // sshd keeps the FIRST value of most keywords, so extra lines go before ours; a Match block
  // must come last, so from the first Match on they go after.
  const extra = n.extraConfig ?? [];
  const matchAt = extra.findIndex((l) => /^\s*match\s/i.test(l));
  const before = matchAt < 0 ? extra : extra.slice(0, matchAt);
  const after = matchAt < 0 ? [] : extra.slice(matchAt);
  return [
    `# serverbox test node ${n.name}`,
    ...before,
    `Port ${n.port}`,
    `ListenAddress ${n.listenAddress}`,
    `HostKey ${n.dir}/host_ed25519`,
    `PidFile ${n.dir}/sshd.pid`,
    `AuthorizedKeysFile ${n.dir}/authorized_keys`,
    `AllowUsers ${n.user}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    `MaxSessions ${n.maxSessions}`,
    'MaxStartups 100:30:200',
    'LogLevel VERBOSE',
    'PrintMotd no',
    'PrintLastLog no',
    'Subsystem sftp internal-sftp',
    ...after,
    '',
  ].join('\n');
}

function logTail(dir) {
  return readOptional(join(dir, 'sshd.log')).trim().split('\n').slice(-15).join('\n');
}

/**
 * @param {{ name?: string; maxSessions?: number; user?: string; extraConfig?: string[];
 *   listenAddress?: string; port?: number; netns?: { name: string; refs: number } }} o
 */
async function createNode(o) {
  const name = o.name ?? 'node';
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(name)) throw new Error(`bad node name ${JSON.stringify(name)}`);
  const user = o.user ?? 'root';
  if (spawnSync('id', ['-u', user], { stdio: 'ignore' }).status !== 0)
    throw new Error(`user ${user} does not exist: run scripts/test-env.sh as root`);
  mkdirSync('/run/sshd', { recursive: true }); // privilege separation directory
  const dir = makeDir(name);
  let child = null;
  const netns = o.netns ?? null;
  if (netns) writeFileSync(join(dir, 'netns'), netns.name);
  const settings = {
    name,
    dir,
    user,
    maxSessions: o.maxSessions ?? 10,
    extraConfig: o.extraConfig ?? [],
    listenAddress: o.listenAddress ?? '127.0.0.1',
    port: o.port ?? (await freePort()),
  };
  const entry = { dir, pid: () => child?.pid ?? null, netns };
  trackForExit(entry);
  writeFileSync(join(dir, 'authorized_keys'), '', { mode: 0o644 });

  const node = {
    name,
    host: settings.listenAddress,
    port: settings.port,
    user,
    dir,
    maxSessions: settings.maxSessions,
    netns: netns?.name ?? null,
    hostPublicKey: '',
    hostKeyFingerprint: '',
    get running() {
      return child !== null;
    },
    get pid() {
      if (!child?.pid) throw new Error(`sshd ${name} is not running`);
      return child.pid;
    },
    get log() {
      return readOptional(join(dir, 'sshd.log'));
    },
    async authorize(publicKeyLine) {
      const line = publicKeyLine.trim();
      if (!line || line.includes('\n')) throw new Error('authorize takes one public key line');
      appendFileSync(join(dir, 'authorized_keys'), `${line}\n`);
    },
    async start() {
      if (child) return;
      const cfg = join(dir, 'sshd_config');
      writeFileSync(cfg, configText(settings));
      await run(SSHD, ['-t', '-f', cfg]).catch((e) => {
        throw new Error(`sshd ${name}: config rejected: ${e.message}\n${readFileSync(cfg, 'utf8')}`);
      });
      const argv = [SSHD, '-D', '-f', cfg, '-E', join(dir, 'sshd.log')];
      // `ip netns exec` execs (no fork), so the child's pid is sshd's own.
      const c = netns
        ? spawn('ip', ['netns', 'exec', netns.name, ...argv], { stdio: 'ignore' })
        : spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
      c.unref(); // a benchmark that forgets close() still exits; the exit hook stops sshd
      let exited = null;
      c.on('exit', (code, sig) => {
        exited = sig ?? code;
        if (child === c) child = null;
      });
      c.on('error', (e) => {
        exited = e.message;
        if (child === c) child = null;
      });
      child = c;
      writeFileSync(join(dir, 'listener'), String(c.pid ?? ''));
      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (;;) {
        if (exited !== null)
          throw new Error(
            `sshd ${name} exited (${exited}) before listening on ${node.host}:${node.port}:\n${logTail(dir)}`,
          );
        if (await bannerAt(settings.listenAddress, settings.port, netns?.name)) return;
        if (Date.now() > deadline) {
          await node.stop();
          throw new Error(
            `sshd ${name} sent no banner on ${node.host}:${node.port} within ${READY_TIMEOUT_MS} ms:\n${logTail(dir)}`,
          );
        }
        await sleep(30);
      }
    },
    async stop() {
      const c = child;
      if (!c?.pid) return;
      const exited = new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', r)));
      await killTree(c.pid);
      await exited;
      child = null;
      frozen = []; // those pids are gone and may be reused: thaw() must not signal them
    },
    freeze() {
      if (!child?.pid) throw new Error(`sshd ${name} is not running`);
      frozen = stopTree(child.pid);
    },
    thaw() {
      const pids = new Set(frozen);
      if (child?.pid) for (const p of [child.pid, ...descendants(child.pid)]) pids.add(p);
      signal([...pids], 'SIGCONT');
      frozen = [];
    },
    async swapHostKey() {
      await node.stop();
      await setHostKey();
      await node.start();
    },
    async close() {
      await node.stop();
      live.delete(entry);
      rmSync(dir, { recursive: true, force: true });
      if (netns && --netns.refs === 0) await run('ip', ['netns', 'del', netns.name]).catch(() => {});
    },
  };
  let frozen = [];
  const setHostKey = async () => {
    node.hostPublicKey = await generateKey(join(dir, 'host_ed25519'), `serverbox-test-${name}`);
    node.hostKeyFingerprint = fingerprintOf(node.hostPublicKey);
  };
  await setHostKey();
  return { node, settings };
}

/** Starts one node on 127.0.0.1 and a free port; resolves once sshd sends its banner. */
export async function startSshd(opts = {}) {
  for (let attempt = 1; ; attempt++) {
    const { node } = await createNode(opts);
    try {
      await node.start();
      return node;
    } catch (e) {
      await node.close();
      // freePort() closes its probe before sshd binds: another process may take the port.
      if (attempt >= 5 || !/Address already in use/.test(String(e))) throw e;
    }
  }
}

// ---- jump pair -----------------------------------------------------------------------------

async function pickSubnet() {
  const { stdout } = await run('ip', ['-4', '-o', 'route', 'show', 'root', '10.241.0.0/16']);
  for (;;) {
    const i = randomBytes(2).readUInt16BE(0) & 0x3fff;
    const base = `10.241.${i >> 6}.${(i & 63) << 2}`;
    if (!stdout.includes(`${base}/30`)) return { base, hostSide: bump(base, 1), nsSide: bump(base, 2) };
  }
}

function bump(addr, n) {
  const p = addr.split('.').map(Number);
  p[3] = (p[3] ?? 0) + n;
  return p.join('.');
}

/**
 * A jump node and a node hidden behind it. Both run in a fresh network namespace joined to
 * this one by a veth pair: the jump sshd listens on the namespace's veth address (reachable
 * from here), the hidden sshd on the namespace's own 127.0.0.1, which only processes inside
 * the namespace — the jump sshd forwarding a direct-tcpip channel — can reach.
 */
export async function startJumpPair(opts = {}) {
  const id = randomBytes(4).toString('hex');
  const netns = { name: `sbx-${id}`, refs: 2 };
  const vethHost = `sbxh${id}`;
  const vethNs = `sbxn${id}`;
  const { hostSide, nsSide } = await pickSubnet();
  const made = [];
  try {
    await run('ip', ['netns', 'add', netns.name]);
    await run('ip', ['-n', netns.name, 'link', 'set', 'lo', 'up']);
    await run('ip', ['link', 'add', vethHost, 'type', 'veth', 'peer', 'name', vethNs, 'netns', netns.name]);
    await run('ip', ['addr', 'add', `${hostSide}/30`, 'dev', vethHost]);
    await run('ip', ['link', 'set', vethHost, 'up']);
    await run('ip', ['-n', netns.name, 'addr', 'add', `${nsSide}/30`, 'dev', vethNs]);
    await run('ip', ['-n', netns.name, 'link', 'set', vethNs, 'up']);
    const jump = await createNode({ name: 'jump', ...opts.jump, netns, listenAddress: nsSide, port: 22 });
    made.push(jump.node);
    // A port free here too, so that trying the hidden node directly finds nothing listening.
    const hidden = await createNode({ name: 'hidden', ...opts.hidden, netns, listenAddress: '127.0.0.1' });
    made.push(hidden.node);
    await jump.node.start();
    await hidden.node.start();
    const h = Object.assign(hidden.node, { hostFromJump: '127.0.0.1', portFromJump: hidden.settings.port });
    return {
      jump: jump.node,
      hidden: h,
      async close() {
        await Promise.all([jump.node.close(), h.close()]);
      },
    };
  } catch (e) {
    for (const n of made) await n.close().catch(() => {});
    await run('ip', ['netns', 'del', netns.name]).catch(() => {});
    throw e;
  }
}
