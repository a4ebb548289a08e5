import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Stores } from './stores';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const coreMain = join(repoRoot, 'core/dist/main.js');
const dashboardDist = join(repoRoot, 'dashboard/dist');

export interface RunningCore {
  url: string;
  /** The one-time link from the core's log (`setupUrl`). */
  setupUrl: string;
  logs: string[];
  /** Stops and starts the core on the same address, database and Redis. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The built core as its own process, exactly as an operator runs it; `env` adds settings. */
export async function startCore(stores: Stores, opts: { env?: Record<string, string> } = {}): Promise<RunningCore> {
  for (const [what, path] of [
    ['core/dist/main.js (npm run build -w @serverbox/core)', coreMain],
    ['dashboard/dist (npm run build -w @serverbox/dashboard)', join(dashboardDist, 'index.html')],
  ] as const) {
    if (!existsSync(path)) throw new Error(`missing ${what}`);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-e2e-'));
  // Only what the core needs: nothing from the developer's own environment leaks in.
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    PORT: String(port),
    HOST: '127.0.0.1',
    SERVERBOX_PUBLIC_URL: url,
    DATABASE_URL: stores.databaseUrl,
    REDIS_URL: stores.redisUrl,
    SERVERBOX_DATA_DIR: dataDir,
    SERVERBOX_MASTER_KEY: randomBytes(32).toString('base64'),
    SERVERBOX_DASHBOARD_DIR: dashboardDist,
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  const logs: string[] = [];
  let proc = spawnCore(env, logs, 'setup link');
  const first = await proc.ready;
  return {
    url,
    setupUrl: first.setupUrl,
    logs,
    async restart() {
      await stop(proc.child);
      proc = spawnCore(env, logs, 'listening');
      await proc.ready;
    },
    async stop() {
      await stop(proc.child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Spawns the core; `ready` resolves once it listens, or once it printed its setup link. */
function spawnCore(env: Record<string, string>, logs: string[], until: 'setup link' | 'listening') {
  const child = spawn(process.execPath, [coreMain], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env });
  const ready = new Promise<{ setupUrl: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`core did not print its ${until} line:\n${logs.join('\n')}`)),
      30_000,
    );
    let listening = false;
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        let entry: { msg?: string; setupUrl?: string };
        try {
          entry = JSON.parse(line);
        } catch {
          continue; // not a JSON log line
        }
        if (entry.msg?.includes(' listening on ')) listening = true;
        if (until === 'setup link' ? entry.setupUrl : listening) {
          clearTimeout(timer);
          resolve({ setupUrl: entry.setupUrl ?? '' });
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString().trimEnd()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`core exited (${code}) ${listening ? 'after' : 'before'} starting:\n${logs.join('\n')}`));
    });
  });
  return { child, ready };
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}
