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
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The built core as its own process, exactly as an operator runs it. */
export async function startCore(stores: Stores): Promise<RunningCore> {
  for (const [what, path] of [
    ['core/dist/main.js (npm run build -w @serverbox/core)', coreMain],
    ['dashboard/dist (npm run build -w @serverbox/dashboard)', join(dashboardDist, 'index.html')],
  ] as const) {
    if (!existsSync(path)) throw new Error(`missing ${what}`);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-e2e-'));
  const child = spawn(process.execPath, [coreMain], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Only what the core needs: nothing from the developer's own environment leaks in.
    env: {
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
    },
  });
  const logs: string[] = [];
  const setupUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`core did not print a setup link:\n${logs.join('\n')}`)), 30_000);
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        try {
          const entry = JSON.parse(line) as { setupUrl?: string };
          if (entry.setupUrl) {
            clearTimeout(timer);
            resolve(entry.setupUrl);
          }
        } catch {
          // not a JSON log line
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString().trimEnd()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`core exited (${code}) before printing a setup link:\n${logs.join('\n')}`));
    });
  });
  return {
    url,
    setupUrl,
    logs,
    async stop() {
      await stop(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}
