import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandError, operands, run, script } from '../src/ssh/command.js';
import { type ConnectTarget, type PoolOptions, SshPool } from '../src/ssh/pool.js';
import { isSshError, type SshError } from '../src/ssh/ssh-error.js';
import { type ClientKey, clientKey, type SshdNode, type SshdUser, startJumpPair, startSshd } from './helpers/sshd.mjs';

// The pool against real OpenSSH sshd on loopback: sessions limits, jump hosts, changed
// host keys, frozen and stopped nodes, sudo, hostile arguments.

let key: ClientKey;
const closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  key = await clientKey();
});
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => {});
});

async function node(opts: { maxSessions?: number; user?: SshdUser } = {}): Promise<SshdNode> {
  const n = await startSshd({ name: 'pool', ...opts });
  await n.authorize(key.publicKey);
  closers.push(() => n.close());
  return n;
}

function targetOf(
  n: { host: string; port: number; user: string; hostKeyFingerprint: string },
  extra: Partial<ConnectTarget> = {},
): ConnectTarget {
  return {
    nodeId: extra.nodeId ?? `${n.host}:${n.port}`,
    name: extra.nodeId ?? 'node',
    host: n.host,
    port: n.port,
    username: n.user,
    privateKey: key.privateKey,
    pinnedFingerprint: n.hostKeyFingerprint,
    maxChannels: 8,
    ...extra,
  };
}

function poolFor(targets: Record<string, () => ConnectTarget>, opts: Partial<PoolOptions> = {}) {
  const pool = new SshPool({
    resolve: async (id) => {
      const t = targets[id];
      if (!t) throw new Error(`unknown node ${id}`);
      return t();
    },
    backoffBaseMs: 50,
    backoffMaxMs: 200,
    ...opts,
  });
  closers.push(() => pool.close());
  return pool;
}

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

describe('exec on a pooled connection', () => {
  it('streams output, returns exit codes, and reuses one connection', async () => {
    const n = await node();
    const pool = poolFor({ a: () => targetOf(n) });
    const chunks: string[] = [];
    const r = await pool.exec('a', script`echo out; echo err >&2; exit 3`(), {
      onStdout: (c) => chunks.push(String(c)),
    });
    expect(r).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n', truncated: false });
    expect(chunks.join('')).toBe('out\n');
    for (let i = 0; i < 5; i++) expect((await pool.exec('a', run('true'))).code).toBe(0);
    expect(pool.stats('a')).toMatchObject({ connections: 1, connects: 1, channelsInUse: 0, circuit: 'closed' });
  });

  it('runs 30 concurrent execs on a MaxSessions 4 node: all succeed, at most 4 at once', async () => {
    const n = await node({ maxSessions: 4 });
    // The pool believes 8 channels fit; the server refuses the 5th: back-pressure, not failure.
    const pool = poolFor({ m: () => targetOf(n, { nodeId: 'm', maxChannels: 8 }) }, { maxConnectionsPerNode: 1 });
    const dir = `/tmp/sbx-pool-conc-${process.pid}-${Date.now()}`;
    await pool.exec('m', run('mkdir', '-p', operands(dir)));
    const busy = script`touch "$1/$$"; ls "$1" | wc -l; sleep 0.3; rm -f "$1/$$"`;
    const results = await Promise.all(
      Array.from({ length: 30 }, () => pool.exec('m', busy(dir), { timeoutMs: 30_000 })),
    );
    expect(results.every((r) => r.code === 0)).toBe(true);
    const peak = Math.max(...results.map((r) => Number(r.stdout.trim())));
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
    expect(pool.stats('m').channelCapacity).toBeLessThanOrEqual(4);
    await pool.exec('m', run('rm', '-rf', operands(dir)));
  });

  it('keeps to the global connection cap, closing idle connections to make room', async () => {
    const a = await node();
    const b = await node();
    const pool = poolFor({ a: () => targetOf(a), b: () => targetOf(b) }, { maxConnections: 1 });
    const slow = pool.exec('a', run('sleep', '0.5'));
    await new Promise((r) => setTimeout(r, 100));
    // b waits for a's connection to become idle, then takes its place.
    const onB = await pool.exec('b', run('true'), { timeoutMs: 10_000 });
    expect(onB.code).toBe(0);
    expect((await slow).code).toBe(0);
    expect(pool.totalConnections()).toBe(1);
    expect(pool.stats('a').connections).toBe(0);
  });

  it('enforces timeouts, cancellation and the output cap', async () => {
    const n = await node();
    const pool = poolFor({ a: () => targetOf(n) });
    const timedOut = await errorOf(pool.exec('a', run('sleep', '5'), { timeoutMs: 300, hangup: true }));
    expect(isSshError(timedOut, 'timeout')).toBe(true);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const cancelled = await errorOf(pool.exec('a', run('sleep', '5'), { signal: ac.signal, hangup: true }));
    expect(isSshError(cancelled, 'cancelled')).toBe(true);
    const big = await pool.exec('a', script`yes | head -c 3000000`(), { maxOutputBytes: 10_000 });
    expect(big.truncated).toBe(true);
    expect(big.stdout.length).toBe(10_000);
    // The hangup wrapper stopped the cancelled sleeps on the node.
    await new Promise((r) => setTimeout(r, 300));
    const left = await pool.exec('a', script`ps -eo stat=,args= | grep -v '^Z' | grep -c '[s]leep 5' || true`());
    expect(left.stdout.trim()).toBe('0');
  });

  it('delivers hostile values as one literal argument and never runs them', async () => {
    const n = await node();
    const pool = poolFor({ a: () => targetOf(n) });
    const marker = `/tmp/sbx-pwned-${process.pid}`;
    const hostile = [
      `; touch ${marker}`,
      `&& touch ${marker}`,
      `| touch ${marker}`,
      `\`touch ${marker}\``,
      `$(touch ${marker})`,
      `a\ntouch ${marker}`,
      `'; touch ${marker}; '`,
      `"; touch ${marker}; "`,
      '-rf',
      '--help',
      'ünïcødé ✓',
      '$HOME ~ * ?',
      '\\',
    ];
    const echo = script`printf '%s' "$1"`;
    for (const v of hostile) {
      expect((await pool.exec('a', echo(v))).stdout).toBe(v);
    }
    // After `--` a leading dash is a file name, not an option.
    const dashed = await pool.exec('a', run('cat', operands('-n', '--version')));
    expect(dashed.code).not.toBe(0);
    expect(dashed.stderr).toMatch(/-n: No such file/);
    expect(() => run('cat', 'a\0b')).toThrow(CommandError);
    const check = await pool.exec('a', script`test -e "$1" && echo present || echo absent`(marker));
    expect(check.stdout.trim()).toBe('absent');
  });
});

describe('host keys', () => {
  it('refuses an unknown key and a changed key, and reports both', async () => {
    const n = await node();
    const seen: { reason: string; fingerprint: string }[] = [];
    let pinned: string | null = null;
    const pool = poolFor(
      { a: () => ({ ...targetOf(n), pinnedFingerprint: pinned }) },
      { onHostKey: (_id, d) => seen.push(d) },
    );
    const unknown = await errorOf(pool.exec('a', run('true')));
    expect(isSshError(unknown, 'host-key-unknown')).toBe(true);
    expect(seen[0]).toMatchObject({ reason: 'unknown', fingerprint: n.hostKeyFingerprint });

    pinned = n.hostKeyFingerprint;
    pool.drop('a');
    expect((await pool.exec('a', run('true'))).code).toBe(0);

    await n.swapHostKey();
    pool.drop('a');
    const mismatch = await errorOf(pool.exec('a', run('true')));
    expect(isSshError(mismatch, 'host-key-mismatch')).toBe(true);
    expect(seen.at(-1)).toMatchObject({ reason: 'mismatch', fingerprint: n.hostKeyFingerprint });
    expect((mismatch as SshError).message).not.toMatch(/PRIVATE KEY/);
  });

  it('reaches a hidden node only through its jump host, verifying both keys', async () => {
    const pair = await startJumpPair();
    closers.push(() => pair.close());
    await pair.jump.authorize(key.publicKey);
    await pair.hidden.authorize(key.publicKey);
    const hiddenTarget = () =>
      targetOf(
        { ...pair.hidden, host: pair.hidden.hostFromJump, port: pair.hidden.portFromJump },
        { nodeId: 'hidden', jumpNodeId: 'jump' },
      );
    const direct = poolFor({ hidden: () => ({ ...hiddenTarget(), jumpNodeId: null }) }, { readyTimeoutMs: 3000 });
    expect(isSshError(await errorOf(direct.exec('hidden', run('true'))), 'unreachable')).toBe(true);

    const pool = poolFor({ jump: () => targetOf(pair.jump, { nodeId: 'jump' }), hidden: hiddenTarget });
    const r = await pool.exec('hidden', script`cat /proc/sys/kernel/hostname; echo via-jump`());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('via-jump');
    expect(pool.stats('jump').connections).toBe(1);

    const wrong = poolFor({
      jump: () => targetOf(pair.jump, { nodeId: 'jump' }),
      hidden: () => ({ ...hiddenTarget(), pinnedFingerprint: pair.jump.hostKeyFingerprint }),
    });
    expect(isSshError(await errorOf(wrong.exec('hidden', run('true'))), 'host-key-mismatch')).toBe(true);
  });
});

describe('faults', () => {
  it('notices a frozen node through keepalive and fails in-flight work with a typed error', async () => {
    const n = await node();
    const pool = poolFor(
      { a: () => targetOf(n) },
      { keepaliveIntervalMs: 500, keepaliveCountMax: 2, readyTimeoutMs: 2000 },
    );
    await pool.exec('a', run('true'));
    const inflight = errorOf(pool.exec('a', run('sleep', '30'), { timeoutMs: 60_000 }));
    await new Promise((r) => setTimeout(r, 200));
    n.freeze();
    try {
      const t0 = Date.now();
      const err = await inflight;
      expect(isSshError(err, 'connection-lost')).toBe(true);
      expect(Date.now() - t0).toBeLessThan(15_000);
      // While frozen, new work fails (handshake times out), and the circuit opens.
      const next = await errorOf(pool.exec('a', run('true'), { timeoutMs: 10_000 }));
      expect(isSshError(next, 'unreachable')).toBe(true);
      expect(pool.stats('a').circuit).toBe('open');
    } finally {
      n.thaw();
    }
    await new Promise((r) => setTimeout(r, 300));
    pool.drop('a');
    expect((await pool.exec('a', run('true'))).code).toBe(0);
  });

  it('fails a command whose node stops mid-command, then reconnects with a fresh client', async () => {
    const n = await node();
    const pool = poolFor({ a: () => targetOf(n) });
    const inflight = errorOf(pool.exec('a', run('sleep', '30')));
    await new Promise((r) => setTimeout(r, 300));
    await n.stop();
    expect(isSshError(await inflight, 'connection-lost')).toBe(true);
    const down = await errorOf(pool.exec('a', run('true')));
    expect(isSshError(down, 'unreachable')).toBe(true);
    // The open circuit answers at once instead of trying again.
    const t0 = performance.now();
    const fast = await errorOf(pool.exec('a', run('true')));
    expect(isSshError(fast, 'unreachable')).toBe(true);
    expect((fast as SshError).details.retryAt).toBeInstanceOf(Date);
    expect(performance.now() - t0).toBeLessThan(1000);
    await n.start();
    await new Promise((r) => setTimeout(r, 250));
    expect((await pool.exec('a', run('true'))).code).toBe(0);
    expect(pool.stats('a').reconnects).toBeGreaterThanOrEqual(1);
  });

  it('says clearly when the user lacks sudo, and uses sudo when it is there', async () => {
    const noSudo = await node({ user: 'sbx-nosudo' });
    const withSudo = await node({ user: 'sbx-sudo' });
    const pool = poolFor({ no: () => targetOf(noSudo), yes: () => targetOf(withSudo) });
    const idu = script`id -u`;
    expect((await pool.exec('yes', idu(), { root: true })).stdout.trim()).toBe('0');
    expect((await pool.exec('yes', idu())).stdout.trim()).not.toBe('0');
    // Cancelling a command that runs through sudo stops it too (the watcher runs as root).
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    expect(
      isSshError(
        await errorOf(pool.exec('yes', run('sleep', '41'), { root: true, hangup: true, signal: ac.signal })),
        'cancelled',
      ),
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const left = await pool.exec('yes', script`ps -eo stat=,args= | grep -v '^Z' | grep -c '[s]leep 41' || true`());
    expect(left.stdout.trim()).toBe('0');
    const err = await errorOf(pool.exec('no', idu(), { root: true }));
    expect(isSshError(err, 'sudo-required')).toBe(true);
    expect((err as Error).message).toMatch(/sbx-nosudo.*sudo/);
  });

  it('reports a refused key as auth-failed', async () => {
    const n = await node();
    const other = await clientKey();
    const pool = poolFor({ a: () => ({ ...targetOf(n), privateKey: other.privateKey }) });
    expect(isSshError(await errorOf(pool.exec('a', run('true'))), 'auth-failed')).toBe(true);
  });
});
