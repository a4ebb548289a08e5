import type { Readable } from 'node:stream';
import ssh2, { type ClientChannel, type ConnectConfig } from 'ssh2';
import { asRoot, killedOnHangup, type RemoteCommand, run } from './command.js';
import { type HostKeyDecision, hostVerifier } from './host-key.js';
import { isSshError, SshError } from './ssh-error.js';

// One warm ssh2 connection per node, a second only when the first has no free channel,
// a channel semaphore below the node's MaxSessions, a global connection cap, idle close,
// keepalive, backoff with jitter and a circuit breaker per node. Callers lease channels;
// they never see a Client.

/** What the pool needs to reach a node. Resolved on each (re)connect, so edits apply. */
export interface ConnectTarget {
  nodeId: string;
  name: string;
  host: string;
  port: number;
  username: string;
  privateKey: string;
  passphrase?: string;
  /** null: nothing pinned yet — the connection is refused and the key reported. */
  pinnedFingerprint: string | null;
  /** Channels this pool opens at once on one connection (below the node's MaxSessions). */
  maxChannels: number;
  jumpNodeId?: string | null;
}

export interface PoolOptions {
  resolve(nodeId: string): Promise<ConnectTarget>;
  /** Called for every refused host key (unknown or mismatched), before the error. */
  onHostKey?(nodeId: string, decision: Exclude<HostKeyDecision, { ok: true }>): void;
  /** Called when a node's connection state changes (connected, lost, failed). */
  onStateChange?(nodeId: string, state: 'connected' | 'disconnected' | 'failed', error?: SshError): void;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  idleCloseMs?: number;
  maxConnections?: number;
  maxConnectionsPerNode?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export interface ExecOptions {
  /** Run with root rights: through `sudo -n` when the node's user is not root. */
  root?: boolean;
  stdin?: string | Buffer | Readable;
  /** Overall deadline, including waiting for a free channel. Default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Bytes of stdout + stderr kept in the result; beyond it the command is stopped. Default 1 MiB. */
  maxOutputBytes?: number;
  onStdout?(chunk: Buffer): void;
  onStderr?(chunk: Buffer): void;
  /**
   * false: stdout only goes to `onStdout` — nothing is kept and the output cap does not
   * apply (followers that run for hours). stderr is still kept, within the cap.
   */
  keepStdout?: boolean;
  /**
   * Keep stdin open and stop the command when the channel closes (cancel, timeout, the
   * viewer leaving): for followers such as `journalctl -f`. Not with `stdin`.
   */
  hangup?: boolean;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** The output cap was reached: the command was stopped and the output is cut. */
  truncated: boolean;
  durationMs: number;
}

export interface NodePoolStats {
  nodeId: string;
  connections: number;
  channelsInUse: number;
  channelCapacity: number;
  queued: number;
  connects: number;
  reconnects: number;
  lastRttMs: number | null;
  lastError: string | null;
  circuit: 'closed' | 'open';
  retryAt: string | null;
}

const algorithms: ConnectConfig['algorithms'] = {
  kex: ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256', 'ecdh-sha2-nistp384'],
  cipher: ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes256-ctr'],
  serverHostKey: [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'rsa-sha2-512',
    'rsa-sha2-256',
  ],
};

// ssh2 is CommonJS: Node's ESM loader only sees its default export.
const { Client } = ssh2;

class Conn {
  readonly client = new Client();
  inUse = 0;
  /** Learned downwards when the server refuses a channel (its MaxSessions is lower). */
  capacity: number;
  readonly maxCapacity: number;
  /** When the server last refused a channel: capacity creeps back up after quiet periods. */
  refusedAt = 0;
  /** Connections tunnelled through this one (jump host): it stays open while they live. */
  dependents = 0;
  lastUsed = Date.now();
  ready = false;
  closed = false;
  /** In-flight work to fail when the connection drops. */
  readonly inflight = new Set<(e: SshError) => void>();
  constructor(
    readonly nodeId: string,
    readonly username: string,
    capacity: number,
  ) {
    this.capacity = capacity;
    this.maxCapacity = capacity;
  }
}

interface Entry {
  conns: Conn[];
  connecting: Promise<void> | null;
  waiters: Set<() => void>;
  failures: number;
  retryAt: number;
  lastError: SshError | null;
  connects: number;
  lastRttMs: number | null;
}

export class SshPool {
  private readonly entries = new Map<string, Entry>();
  private readonly o: Required<Omit<PoolOptions, 'onHostKey' | 'onStateChange'>> & PoolOptions;
  private readonly reaper: NodeJS.Timeout;
  private closing = false;

  constructor(options: PoolOptions) {
    this.o = {
      readyTimeoutMs: 10_000,
      keepaliveIntervalMs: 15_000,
      keepaliveCountMax: 3,
      idleCloseMs: 5 * 60_000,
      maxConnections: 200,
      maxConnectionsPerNode: 2,
      backoffBaseMs: 500,
      backoffMaxMs: 60_000,
      ...options,
    };
    const every = Math.max(1000, Math.min(this.o.idleCloseMs / 4, 30_000));
    this.reaper = setInterval(() => this.closeIdle(), every);
    this.reaper.unref();
  }

  /** Runs one command on a node and collects its output. */
  async exec(nodeId: string, command: RemoteCommand, opts: ExecOptions = {}): Promise<ExecResult> {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    const started = performance.now();
    for (;;) {
      const conn = await this.lease(nodeId, deadline, opts.signal);
      let result: ExecResult;
      try {
        // The hangup watcher runs inside sudo, so it has the rights to stop what it watches.
        const watched = opts.hangup ? killedOnHangup(command) : command;
        const text = (opts.root ? asRoot(watched, conn.username) : watched).text;
        result = await this.runOn(conn, text, opts, deadline, started);
      } catch (e) {
        this.release(conn);
        if (!(e instanceof ChannelRefused)) throw e;
        // The server allows fewer sessions than we thought: back-pressure, not an error.
        conn.capacity = Math.max(1, conn.inUse);
        conn.refusedAt = Date.now();
        await sleep(Math.min(20, Math.max(0, deadline - Date.now())));
        if (Date.now() >= deadline) throw new SshError('busy', 'no SSH channel became free before the deadline');
        continue;
      }
      this.release(conn);
      if (opts.root && conn.username !== 'root' && sudoRefused(result)) {
        throw new SshError(
          'sudo-required',
          `user ${conn.username} on this node cannot run commands as root: grant it passwordless sudo (NOPASSWD) or connect as root`,
        );
      }
      return result;
    }
  }

  /** Round trip of `true` on a warm connection; recorded as the node's RTT. */
  async ping(nodeId: string, timeoutMs = 10_000): Promise<number> {
    const t0 = performance.now();
    const r = await this.exec(nodeId, run('true'), { timeoutMs });
    const rtt = performance.now() - t0;
    if (r.code !== 0) throw new SshError('unreachable', `the node answered \`true\` with exit code ${r.code}`);
    this.entry(nodeId).lastRttMs = Math.round(rtt * 100) / 100;
    return rtt;
  }

  stats(nodeId: string): NodePoolStats {
    const e = this.entries.get(nodeId);
    const now = Date.now();
    const live = e?.conns.filter((c) => c.ready && !c.closed) ?? [];
    return {
      nodeId,
      connections: live.length,
      channelsInUse: live.reduce((n, c) => n + c.inUse, 0),
      channelCapacity: live.reduce((n, c) => n + c.capacity, 0),
      queued: e?.waiters.size ?? 0,
      connects: e?.connects ?? 0,
      reconnects: Math.max(0, (e?.connects ?? 0) - 1),
      lastRttMs: e?.lastRttMs ?? null,
      lastError: e?.lastError?.message ?? null,
      circuit: e && e.retryAt > now && live.length === 0 ? 'open' : 'closed',
      retryAt: e && e.retryAt > now ? new Date(e.retryAt).toISOString() : null,
    };
  }

  totalConnections(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.conns.length;
    return n;
  }

  /** Closes a node's connections and forgets its failures (node edited, key accepted, removed). */
  drop(nodeId: string): void {
    const e = this.entries.get(nodeId);
    if (!e) return;
    for (const c of [...e.conns])
      this.destroy(c, new SshError('connection-lost', 'the node was changed; reconnecting'));
    e.failures = 0;
    e.retryAt = 0;
    e.lastError = null;
    this.wake(e);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.reaper);
    for (const e of this.entries.values()) {
      for (const c of [...e.conns]) this.destroy(c, new SshError('connection-lost', 'the core is shutting down'));
      this.wake(e);
    }
  }

  // ---------- leasing ----------

  private entry(nodeId: string): Entry {
    let e = this.entries.get(nodeId);
    if (!e) {
      e = {
        conns: [],
        connecting: null,
        waiters: new Set(),
        failures: 0,
        retryAt: 0,
        lastError: null,
        connects: 0,
        lastRttMs: null,
      };
      this.entries.set(nodeId, e);
    }
    return e;
  }

  /** A connection with one channel slot reserved for the caller. */
  private async lease(nodeId: string, deadline: number, signal?: AbortSignal): Promise<Conn> {
    const e = this.entry(nodeId);
    for (;;) {
      if (this.closing) throw new SshError('connection-lost', 'the core is shutting down');
      if (signal?.aborted) throw new SshError('cancelled', 'cancelled');
      for (const c of e.conns) recoverCapacity(c);
      const free = e.conns.find((c) => c.ready && !c.closed && c.inUse < c.capacity);
      if (free) {
        free.inUse++;
        free.lastUsed = Date.now();
        return free;
      }
      if (!e.connecting && e.conns.length < this.o.maxConnectionsPerNode) {
        if (e.retryAt > Date.now() && e.lastError) throw e.lastError;
        if (this.totalConnections() >= this.o.maxConnections && !this.evictIdle()) {
          // Global cap reached and nothing idle to close: wait like for a channel.
        } else {
          e.connecting = this.connect(nodeId, e).finally(() => {
            e.connecting = null;
            this.wake(e);
          });
          // Errors reach this caller through the loop (lastError + retryAt).
          await e.connecting.catch(() => {});
          if (e.retryAt > Date.now() && e.lastError && !e.conns.some((c) => c.ready)) throw e.lastError;
          continue;
        }
      }
      await this.waitFor(e, deadline, signal);
    }
  }

  private waitFor(e: Entry, deadline: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        e.waiters.delete(done);
        resolve();
      };
      const onAbort = () => {
        clearTimeout(timer);
        e.waiters.delete(done);
        reject(new SshError('cancelled', 'cancelled'));
      };
      const timer = setTimeout(
        () => {
          e.waiters.delete(done);
          signal?.removeEventListener('abort', onAbort);
          reject(new SshError('busy', 'no SSH channel became free before the deadline'));
        },
        Math.max(0, deadline - Date.now()),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      e.waiters.add(done);
    });
  }

  private wake(e: Entry) {
    // Wake everyone: each re-checks; the losers wait again. Queues here are short.
    for (const w of [...e.waiters]) w();
  }

  private release(conn: Conn) {
    if (conn.inUse > 0) conn.inUse--;
    conn.lastUsed = Date.now();
    const e = this.entries.get(conn.nodeId);
    if (e) this.wake(e);
    // At the global cap, an idle connection is room another node may be waiting for.
    if (conn.inUse === 0 && this.totalConnections() >= this.o.maxConnections) this.wakeAll();
  }

  private wakeAll() {
    for (const e of this.entries.values()) this.wake(e);
  }

  private evictIdle(): boolean {
    let victim: Conn | null = null;
    for (const e of this.entries.values())
      for (const c of e.conns)
        if (c.ready && c.inUse === 0 && c.dependents === 0 && (!victim || c.lastUsed < victim.lastUsed)) victim = c;
    if (!victim) return false;
    this.destroy(victim, new SshError('connection-lost', 'closed to make room'));
    return true;
  }

  private closeIdle() {
    const cutoff = Date.now() - this.o.idleCloseMs;
    for (const e of this.entries.values())
      for (const c of [...e.conns])
        if (c.ready && c.inUse === 0 && c.dependents === 0 && c.lastUsed < cutoff)
          this.destroy(c, new SshError('connection-lost', 'idle'));
  }

  private destroy(c: Conn, why: SshError) {
    if (c.closed) return;
    c.closed = true;
    for (const fail of [...c.inflight]) fail(why);
    c.inflight.clear();
    c.client.end();
    const e = this.entries.get(c.nodeId);
    if (e) e.conns = e.conns.filter((x) => x !== c);
    this.wakeAll();
  }

  // ---------- connecting ----------

  private async connect(nodeId: string, e: Entry): Promise<void> {
    let target: ConnectTarget;
    try {
      target = await this.o.resolve(nodeId);
    } catch (err) {
      this.failed(nodeId, e, isSshError(err) ? err : new SshError('unreachable', (err as Error).message));
      throw err;
    }
    const conn = new Conn(nodeId, target.username, Math.max(1, target.maxChannels));
    e.conns.push(conn);
    let jump: Conn | null = null;
    let tunnelled = false;
    try {
      let sock: ClientChannel | undefined;
      if (target.jumpNodeId) {
        jump = await this.jumpConnection(target.jumpNodeId);
        const via = jump;
        sock = await new Promise<ClientChannel>((resolve, reject) =>
          via.client.forwardOut('127.0.0.1', 0, target.host, target.port, (err, stream) =>
            err
              ? reject(
                  new SshError(
                    'unreachable',
                    `the jump host could not reach ${target.host}:${target.port}: ${err.message}`,
                  ),
                )
              : resolve(stream),
          ),
        );
        sock.on('error', () => {});
        jump.dependents++;
        tunnelled = true;
      }
      await this.handshake(conn, target, sock);
      e.connects++;
      e.failures = 0;
      e.retryAt = 0;
      e.lastError = null;
      conn.ready = true;
      this.o.onStateChange?.(nodeId, 'connected');
      const via = jump;
      conn.client.on('close', () => {
        if (via) {
          via.dependents--;
          via.lastUsed = Date.now();
        }
        const wasOpen = !conn.closed;
        this.destroy(conn, new SshError('connection-lost', `the connection to ${target.name} was lost`));
        if (wasOpen && !this.closing) this.o.onStateChange?.(nodeId, 'disconnected');
      });
    } catch (err) {
      if (jump && tunnelled) jump.dependents--;
      if (jump) jump.lastUsed = Date.now();
      const error = isSshError(err) ? err : new SshError('unreachable', (err as Error).message);
      this.destroy(conn, error);
      this.failed(nodeId, e, error);
      throw error;
    }
  }

  private failed(nodeId: string, e: Entry, error: SshError) {
    e.failures++;
    const backoff = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (e.failures - 1));
    e.retryAt = Date.now() + Math.round(backoff * (0.5 + Math.random() / 2));
    error.details.retryAt = new Date(e.retryAt);
    e.lastError = error;
    this.o.onStateChange?.(nodeId, 'failed', error);
  }

  /** A ready connection to a jump host (no channel slot: forwarding is not a session). */
  private async jumpConnection(nodeId: string): Promise<Conn> {
    const e = this.entry(nodeId);
    for (let attempt = 0; attempt < 3; attempt++) {
      const ready = e.conns.find((c) => c.ready && !c.closed);
      if (ready) return ready;
      if (e.retryAt > Date.now() && e.lastError) throw e.lastError;
      if (!e.connecting) {
        e.connecting = this.connect(nodeId, e).finally(() => {
          e.connecting = null;
          this.wake(e);
        });
      }
      await e.connecting.catch(() => {});
    }
    throw e.lastError ?? new SshError('unreachable', 'the jump host is not reachable');
  }

  private handshake(conn: Conn, target: ConnectTarget, sock?: ClientChannel): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let refusedKey: SshError | null = null;
      const fail = (err: Error & { level?: string }) => {
        if (refusedKey) return reject(refusedKey);
        if (isSshError(err)) return reject(err);
        if (err.level === 'client-authentication')
          return reject(new SshError('auth-failed', `${target.name} refused the key for user ${target.username}`));
        if (/timed out/i.test(err.message))
          return reject(new SshError('unreachable', `${target.name} did not complete the SSH handshake in time`));
        reject(
          new SshError('unreachable', `cannot reach ${target.name} (${target.host}:${target.port}): ${err.message}`),
        );
      };
      conn.client.once('ready', () => {
        conn.client.removeListener('error', onConnectError);
        // From now on errors end the connection; 'close' follows and fails in-flight work.
        conn.client.on('error', () => {});
        resolve();
      });
      const onConnectError = (err: Error) => fail(err);
      conn.client.on('error', onConnectError);
      conn.client.on('close', () => fail(new Error('the connection closed during the handshake')));
      const verifier = hostVerifier(target.pinnedFingerprint, (d) => {
        if (d.ok) return;
        refusedKey = new SshError(
          d.reason === 'unknown' ? 'host-key-unknown' : 'host-key-mismatch',
          d.reason === 'unknown'
            ? `${target.name} presented host key ${d.fingerprint}; an admin must confirm it first`
            : `${target.name} presented host key ${d.fingerprint}, not the pinned one: connection refused`,
          { fingerprint: d.fingerprint },
        );
        this.o.onHostKey?.(target.nodeId, d);
      });
      try {
        conn.client.connect({
          host: sock ? undefined : target.host,
          port: sock ? undefined : target.port,
          sock,
          username: target.username,
          privateKey: target.privateKey,
          passphrase: target.passphrase,
          hostVerifier: verifier,
          readyTimeout: this.o.readyTimeoutMs,
          keepaliveInterval: this.o.keepaliveIntervalMs,
          keepaliveCountMax: this.o.keepaliveCountMax,
          algorithms,
          tryKeyboard: false,
        });
        // ssh2 leaves Nagle on: an exec's small packets then wait for sshd's delayed ACK,
        // ~40 ms per command (docs/benchmarks.md, SSH pool). No-op on a jump-host channel.
        conn.client.setNoDelay(true);
      } catch (err) {
        // Bad key material or passphrase throws synchronously.
        reject(
          new SshError('auth-failed', `the private key for ${target.name} cannot be used: ${(err as Error).message}`),
        );
      }
    });
  }

  // ---------- running ----------

  private runOn(conn: Conn, text: string, opts: ExecOptions, deadline: number, started: number): Promise<ExecResult> {
    const cap = opts.maxOutputBytes ?? 1024 * 1024;
    return new Promise<ExecResult>((resolve, reject) => {
      let settled = false;
      let stream: ClientChannel | null = null;
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let bytes = 0;
      let truncated = false;
      let code: number | null = null;
      let sig: string | null = null;
      const finish = (error?: SshError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        conn.inflight.delete(onLost);
        if (error) {
          // EOF first: a killedOnHangup() command stops when its stdin ends.
          stream?.end();
          stream?.close();
          return reject(error);
        }
        resolve({
          code,
          signal: sig,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          truncated,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
        });
      };
      const onLost = (e: SshError) => finish(e);
      const onAbort = () => finish(new SshError('cancelled', 'cancelled'));
      const timer = setTimeout(
        () => finish(new SshError('timeout', 'the command did not finish before its deadline')),
        Math.max(0, deadline - Date.now()),
      );
      conn.inflight.add(onLost);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const collect = (into: Buffer[], notify?: (c: Buffer) => void) => (chunk: Buffer) => {
        if (settled) return;
        notify?.(chunk);
        if (truncated) return;
        const room = cap - bytes;
        if (chunk.length > room) {
          into.push(chunk.subarray(0, room));
          bytes = cap;
          truncated = true;
          stream?.end();
          stream?.close();
          return;
        }
        into.push(chunk);
        bytes += chunk.length;
      };
      try {
        conn.client.exec(text, (e, s) => {
          if (e) {
            settled = true;
            clearTimeout(timer);
            opts.signal?.removeEventListener('abort', onAbort);
            conn.inflight.delete(onLost);
            return reject(
              (e as Error & { reason?: unknown }).reason !== undefined
                ? new ChannelRefused()
                : new SshError('connection-lost', e.message),
            );
          }
          stream = s;
          if (settled) return void s.close();
          s.on('error', () => {});
          s.on(
            'data',
            opts.keepStdout === false ? (c: Buffer) => settled || opts.onStdout?.(c) : collect(out, opts.onStdout),
          );
          s.stderr.on('data', collect(err, opts.onStderr));
          s.on('exit', (c: number | null, signalName?: string) => {
            code = c;
            sig = signalName ?? null;
          });
          s.on('close', () => finish());
          writeStdin(s, opts.stdin, opts.hangup === true);
        });
      } catch (e) {
        finish(new SshError('connection-lost', (e as Error).message));
      }
    });
  }
}

class ChannelRefused extends Error {}

/**
 * sshd frees a closed session only after it reads the next message, so a refusal can come
 * below MaxSessions too. A lowered capacity therefore grows back by one channel after
 * every quiet interval; a real limit costs one short retry per interval.
 */
const capacityRecoveryMs = 5000;
function recoverCapacity(c: Conn) {
  if (c.capacity < c.maxCapacity && Date.now() - c.refusedAt > capacityRecoveryMs) {
    c.capacity++;
    c.refusedAt = Date.now();
  }
}

function writeStdin(s: ClientChannel, stdin: ExecOptions['stdin'], keepOpen: boolean) {
  if (keepOpen) return; // killedOnHangup() watches it
  if (stdin === undefined) {
    s.end();
    return;
  }
  if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) {
    s.end(stdin);
    return;
  }
  stdin.on('error', () => s.close());
  stdin.pipe(s);
}

function sudoRefused(r: ExecResult): boolean {
  return (
    r.code !== 0 &&
    /^sudo: (a password is required|.*is not in the sudoers file|.*not allowed to execute|.*: command not found)|sudo: not found/m.test(
      r.stderr,
    )
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
