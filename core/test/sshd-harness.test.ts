import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers/processes.js';
import {
  type ClientKey,
  clientKey,
  fingerprintOf,
  knownHostsLine,
  type SshdNode,
  type SshdOptions,
  startJumpPair,
  startSshd,
} from './helpers/sshd.mjs';

// Proves the sshd test nodes with the OpenSSH client itself, so that the node pool's tests
// can trust them: pinned host keys, MaxSessions, sudo, host key swap, freeze, stop and jump.

let key: ClientKey;
let tmp: string;
const nodes: { close(): Promise<void> }[] = [];
const clients = new Set<ChildProcess>();

beforeAll(async () => {
  key = await clientKey();
  tmp = mkdtempSync(join(tmpdir(), 'sbx-ssh-client-'));
});
afterEach(() => {
  for (const c of clients) c.kill('SIGKILL');
  clients.clear();
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  rmSync(tmp, { recursive: true, force: true });
});

async function node(opts: SshdOptions = {}) {
  const n = await startSshd(opts);
  nodes.push(n);
  await n.authorize(key.publicKey);
  return n;
}

let configs = 0;
/** An ssh_config that trusts exactly these host keys; `-J` hands it to the jump's ssh too. */
function clientConfig(knownHosts: string[], extra: string[] = []) {
  const id = ++configs;
  const kh = join(tmp, `known_hosts_${id}`);
  writeFileSync(kh, `${knownHosts.join('\n')}\n`);
  const cfg = join(tmp, `ssh_config_${id}`);
  writeFileSync(
    cfg,
    [
      'Host *',
      ...extra,
      `  IdentityFile ${key.path}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${kh}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '  ConnectTimeout 5',
      '',
    ].join('\n'),
  );
  return cfg;
}

const target = (n: SshdNode) => ['-p', String(n.port), `${n.user}@${n.host}`];

function ssh(cfg: string, n: SshdNode, command: string, extra: string[] = []) {
  return run('ssh', ['-F', cfg, ...extra, ...target(n), command], { timeoutMs: 20_000 });
}

/** A long-running ssh whose output can be awaited piece by piece. */
function sshLive(args: string[]) {
  const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  clients.add(child);
  let stdout = '';
  let stderr = '';
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return {
    child,
    exit,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    async waitFor(text: string) {
      while (!stdout.includes(text)) {
        if (child.exitCode !== null) throw new Error(`ssh exited ${child.exitCode} before "${text}": ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

const canConnect = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, host, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sshd test nodes', () => {
  it('lets the test key in on a root node whose host key matches ssh-keygen -lf', async () => {
    const n = await node({ name: 'root' });
    const listed = await run('ssh-keygen', ['-lf', join(n.dir, 'host_ed25519.pub')], {});
    expect(listed.stdout.split(' ')[1]).toBe(n.hostKeyFingerprint);
    expect(fingerprintOf(n.hostPublicKey)).toBe(n.hostKeyFingerprint);

    const r = await ssh(clientConfig([knownHostsLine(n)]), n, 'id -un');
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('root');
    expect(n.host).toBe('127.0.0.1');
  });

  it('honours MaxSessions: the fifth channel on one connection to a MaxSessions 4 node is refused', async () => {
    const n = await node({ name: 'max4', maxSessions: 4 });
    const effective = await run('/usr/sbin/sshd', ['-T', '-f', join(n.dir, 'sshd_config')], {});
    expect(effective.stdout).toMatch(/^maxsessions 4$/m);

    // One connection (a ControlMaster), sessions multiplexed on it as channels.
    const sock = join(tmp, 'mux.sock');
    const cfg = clientConfig([knownHostsLine(n)], [`  ControlPath ${sock}`]);
    const master = sshLive(['-F', cfg, '-M', '-N', ...target(n)]);
    while ((await run('ssh', ['-F', cfg, '-O', 'check', ...target(n)], {})).code !== 0) {
      if (master.child.exitCode !== null) throw new Error(`master exited: ${master.stderr}`);
      await pause(50);
    }
    const sessions = [1, 2, 3, 4].map(() => sshLive(['-F', cfg, ...target(n), 'echo ready; read line']));
    await Promise.all(sessions.map((s) => s.waitFor('ready')));

    // A refused mux session makes ssh fall back to a connection of its own: forbid that.
    const fifth = await ssh(cfg, n, 'echo fifth', ['-o', 'ProxyCommand=false']);
    expect(fifth.code).not.toBe(0);
    expect(fifth.stdout).toBe('');
    expect(fifth.stderr).toMatch(/Session open refused by peer/);
    expect(n.log).toMatch(/no more sessions/);

    // Once one session ends its channel is free again (the server may take a moment to see it).
    sessions[0]?.child.stdin.end('\n');
    expect(await sessions[0]?.exit).toBe(0);
    let again = await ssh(cfg, n, 'echo fifth');
    for (let i = 0; again.code !== 0 && i < 20; i++) {
      await pause(100);
      again = await ssh(cfg, n, 'echo fifth');
    }
    expect(again.stdout.trim()).toBe('fifth');
  });

  it('gives sbx-sudo passwordless sudo and sbx-nosudo none', async () => {
    const withSudo = await node({ name: 'sudo', user: 'sbx-sudo' });
    const withoutSudo = await node({ name: 'nosudo', user: 'sbx-nosudo' });
    const cfg = clientConfig([knownHostsLine(withSudo), knownHostsLine(withoutSudo)]);

    const ok = await ssh(cfg, withSudo, 'id -un; sudo -n true && sudo -n id -un');
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split('\n')).toEqual(['sbx-sudo', 'root']);

    const refused = await ssh(cfg, withoutSudo, 'id -un; sudo -n true');
    expect(refused.stdout.trim()).toBe('sbx-nosudo');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/password is required|not in the sudoers|may not run sudo/);

    // The node lets in only its own user.
    const asRoot = await run('ssh', ['-F', cfg, '-p', String(withSudo.port), `root@${withSudo.host}`, 'true'], {});
    expect(asRoot.code).toBe(255);
  });

  it('swapHostKey changes the fingerprint, and ssh holding the old key refuses the node', async () => {
    const n = await node({ name: 'swap' });
    const before = { fp: n.hostKeyFingerprint, line: knownHostsLine(n), port: n.port };
    const oldCfg = clientConfig([before.line]);
    expect((await ssh(oldCfg, n, 'true')).code).toBe(0);

    await n.swapHostKey();
    expect(n.port).toBe(before.port);
    expect(n.hostKeyFingerprint).not.toBe(before.fp);
    const listed = await run('ssh-keygen', ['-lf', join(n.dir, 'host_ed25519.pub')], {});
    expect(listed.stdout.split(' ')[1]).toBe(n.hostKeyFingerprint);

    const refused = await ssh(oldCfg, n, 'echo in');
    expect(refused.code).toBe(255);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    expect((await ssh(clientConfig([knownHostsLine(n)]), n, 'echo in')).stdout.trim()).toBe('in');
  });

  it('freeze hangs a running command and new logins; thaw lets the command finish', async () => {
    const n = await node({ name: 'freeze' });
    const cfg = clientConfig([knownHostsLine(n)]);
    const cmd = sshLive(['-F', cfg, ...target(n), 'echo started; sleep 1; echo done']);
    await cmd.waitFor('started');
    n.freeze();

    // The TCP handshake still completes (the kernel does it), but no banner ever comes.
    const login = await ssh(cfg, n, 'true', ['-o', 'ConnectTimeout=2']);
    expect(login.code).toBe(255);
    expect(login.stderr).toMatch(/timed out/i);
    expect(cmd.stdout).not.toContain('done');
    expect(cmd.child.exitCode).toBeNull();

    n.thaw();
    expect(await cmd.exit).toBe(0);
    expect(cmd.stdout).toContain('done');
    expect((await ssh(cfg, n, 'echo back')).stdout.trim()).toBe('back');
  });

  it('a frozen node is detected by ServerAlive probes on an established connection', async () => {
    const n = await node({ name: 'alive' });
    const cfg = clientConfig([knownHostsLine(n)]);
    const cmd = sshLive([
      '-F',
      cfg,
      '-o',
      'ServerAliveInterval=1',
      '-o',
      'ServerAliveCountMax=2',
      ...target(n),
      'echo started; sleep 60',
    ]);
    await cmd.waitFor('started');
    n.freeze();
    expect(await cmd.exit).toBe(255);
    expect(cmd.stderr).toMatch(/Timeout, server .* not responding/);
    n.thaw();
  });

  it('stop drops a command mid-way and refuses logins; start serves again on the same port and key', async () => {
    const n = await node({ name: 'stop' });
    const cfg = clientConfig([knownHostsLine(n)]);
    const port = n.port;
    const cmd = sshLive(['-F', cfg, ...target(n), 'echo started; sleep 60; echo done']);
    await cmd.waitFor('started');

    await n.stop();
    expect(await cmd.exit).toBe(255);
    expect(cmd.stdout).not.toContain('done');
    expect(n.running).toBe(false);
    expect(() => n.pid).toThrow(/not running/);
    const refused = await ssh(cfg, n, 'true');
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(/Connection refused/);

    await n.start();
    expect(n.port).toBe(port);
    expect(readFileSync(`/proc/${n.pid}/comm`, 'utf8').trim()).toBe('sshd');
    expect((await ssh(cfg, n, 'echo again')).stdout.trim()).toBe('again');
  });

  it('the hidden node is unreachable directly and reachable through the jump node (ssh -J)', async () => {
    const pair = await startJumpPair();
    nodes.push(pair);
    const { jump, hidden } = pair;
    await jump.authorize(key.publicKey);
    await hidden.authorize(key.publicKey);
    const cfg = clientConfig([knownHostsLine(jump), knownHostsLine(hidden, hidden.hostFromJump, hidden.portFromJump)]);

    expect(await canConnect(hidden.host, hidden.port)).toBe(false);
    const direct = await ssh(cfg, hidden, 'true');
    expect(direct.code).toBe(255);
    expect(direct.stderr).toMatch(/Connection refused/);

    expect((await ssh(cfg, jump, 'id -un')).stdout.trim()).toBe('root');
    const through = await run(
      'ssh',
      [
        '-F',
        cfg,
        '-J',
        `${jump.user}@${jump.host}:${jump.port}`,
        '-p',
        String(hidden.portFromJump),
        `${hidden.user}@${hidden.hostFromJump}`,
        'echo hidden',
      ],
      { timeoutMs: 20_000 },
    );
    expect(through.stderr).toBe('');
    expect(through.stdout.trim()).toBe('hidden');
    expect(jump.log).toMatch(/Accepted publickey/);
  });
});
