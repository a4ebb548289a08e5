import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

export type { Redis };

export interface RedisTarget {
  /** ioredis connection options (host/port/path/password/db). */
  options: RedisOptions;
  describe: string;
}

export function redisTargetFromUrl(url: string): RedisTarget {
  const u = new URL(url);
  if (u.protocol === 'unix:') return { options: { path: u.pathname }, describe: `redis at ${u.pathname}` };
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new Error(`REDIS_URL must be redis://, rediss:// or unix:// (got ${u.protocol})`);
  return {
    options: {
      host: u.hostname,
      port: Number(u.port || 6379),
      username: u.username ? decodeURIComponent(u.username) : undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
      tls: u.protocol === 'rediss:' ? {} : undefined,
    },
    describe: `redis://${u.hostname}:${u.port || 6379}`,
  };
}

/**
 * A client for request paths: when Redis is gone, commands fail at once (no offline queue)
 * so callers can answer 503 instead of hanging; ioredis keeps reconnecting in the background.
 */
export function createRedisClient(target: RedisTarget, name: string): Redis {
  const client = new Redis({
    ...target.options,
    connectionName: name,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
  });
  client.on('error', () => {}); // reported through readiness and failing calls, not as crashes
  return client;
}

/** A client for blocking reads (XREAD BLOCK): it must wait through outages, never give up. */
export function createBlockingRedisClient(target: RedisTarget, name: string): Redis {
  const client = new Redis({
    ...target.options,
    connectionName: name,
    lazyConnect: true,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
  });
  client.on('error', () => {});
  return client;
}

export async function connectRedis(client: Redis, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export class RedisServerMissingError extends Error {}

/**
 * No npm package can embed Redis, so when no REDIS_URL is given the core runs a private
 * redis-server on a unix socket inside the data directory and stops it on exit.
 */
export async function startEmbeddedRedis(opts: { bin: string; dataDir: string; log: Logger }) {
  const dir = join(opts.dataDir, 'redis');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const socket = join(dir, 'redis.sock');
  const pidFile = join(dir, 'redis.pid');
  stopStale(pidFile, opts.log);
  if (spawnSync(opts.bin, ['--version']).error) {
    throw new RedisServerMissingError(
      `redis-server not found (${opts.bin}); install it (Debian/Ubuntu: apt-get install redis-server) or set REDIS_URL`,
    );
  }
  rmSync(socket, { force: true });
  const child: ChildProcess = spawn(
    opts.bin,
    [
      '--port',
      '0',
      '--unixsocket',
      socket,
      '--unixsocketperm',
      '700',
      '--dir',
      dir,
      '--pidfile',
      pidFile,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  writeFileSync(pidFile, String(child.pid ?? ''));
  await waitFor(
    () => existsSync(socket),
    5000,
    () => child.exitCode !== null,
  ).catch((err) => {
    child.kill('SIGKILL');
    throw new Error(`embedded redis-server did not start: ${stderr.trim() || err.message}`);
  });
  let stopping = false;
  child.on('exit', (code, signal) => {
    if (!stopping) opts.log.error({ code, signal }, 'embedded redis-server exited unexpectedly');
  });
  opts.log.info({ socket }, 'embedded redis-server started');
  return {
    target: { options: { path: socket }, describe: `embedded redis at ${socket}` } satisfies RedisTarget,
    async stop() {
      if (child.exitCode !== null) return;
      stopping = true;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(pidFile, { force: true });
    },
  };
}

function stopStale(pidFile: string, log: Logger) {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('redis-server')) {
      process.kill(pid, 'SIGTERM');
      log.warn({ pid }, 'stopped a stale embedded redis-server left by an earlier run');
      // Wait for it to go: on shutdown it unlinks its socket, which would be our new one.
      const deadline = Date.now() + 5000;
      while (existsSync(`/proc/${pid}`) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
    }
  } catch {
    // not running any more
  }
}

async function waitFor(ok: () => boolean, ms: number, failed: () => boolean) {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (failed()) throw new Error('process exited');
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
