import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPassword, browser, waitFor } from './helpers/core.js';
import { coreCli, coreMain, freePort, requireBuild, run } from './helpers/processes.js';

// The quick-start mode: no DATABASE_URL and no REDIS_URL. The core runs PGlite in the data
// directory and its own redis-server on a unix socket, from scratch.

const dataDir = mkdtempSync(join(tmpdir(), 'sb-embedded-'));
let port: number;
let core: ChildProcess | null = null;
let logLines: Record<string, unknown>[] = [];

async function boot() {
  logLines = [];
  const child = spawn('node', [coreMain], {
    env: {
      ...process.env,
      DATABASE_URL: '',
      REDIS_URL: '',
      SERVERBOX_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buf = '';
  child.stdout?.on('data', (d) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) {
      try {
        logLines.push(JSON.parse(l));
      } catch {
        // not a log line
      }
    }
  });
  core = child;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`core exited with ${child.exitCode}`);
      return fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
    },
    30_000,
    'the embedded core to be ready',
  );
  return child;
}

async function shutdown() {
  if (!core || core.exitCode !== null) return null;
  const exited = new Promise<number | null>((r) => core?.once('exit', (code) => r(code)));
  core.kill('SIGTERM');
  return exited;
}

beforeAll(async () => {
  requireBuild();
  port = await freePort();
});
afterAll(async () => {
  await shutdown();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded mode', () => {
  it('starts from an empty data directory, logs a setup link, and the admin can sign in', async () => {
    await boot();
    const setupLine = logLines.find((l) => typeof l.setupUrl === 'string');
    expect(setupLine).toBeDefined();
    const setupUrl = new URL(setupLine?.setupUrl as string);
    expect(setupUrl.pathname).toBe('/setup');
    const token = new URLSearchParams(setupUrl.hash.slice(1)).get('token');
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(existsSync(join(dataDir, 'master.key'))).toBe(true);
    expect(existsSync(join(dataDir, 'redis', 'redis.sock'))).toBe(true);

    const url = `http://127.0.0.1:${port}`;
    const b = browser(url);
    await b.client.auth.setup.mutate({
      token: token!,
      email: 'root@example.com',
      name: 'Root Admin',
      password: adminPassword,
    });
    const signedIn = browser(url);
    await signedIn.client.auth.login.mutate({ email: 'root@example.com', password: adminPassword });
    const health = await signedIn.client.system.health.query();
    expect(health.database).toMatchObject({ ok: true, kind: 'pglite' });
    expect(health.redis.ok).toBe(true);
  });

  it('refuses to run the CLI on the embedded database while the core holds it', async () => {
    const r = await run('node', [coreCli, 'admin', 'create', '--email', 'two@example.com'], {
      env: { DATABASE_URL: '', SERVERBOX_DATA_DIR: dataDir },
      input: `${adminPassword}\n`,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/core is running on the embedded database/);
  });

  it('stops its redis-server on exit and reopens the same data without a new setup link', async () => {
    expect(await shutdown()).toBe(0);
    expect(existsSync(join(dataDir, 'redis', 'redis.pid'))).toBe(false);
    expect(existsSync(join(dataDir, 'core.pid'))).toBe(false);
    await boot();
    expect(logLines.some((l) => 'setupUrl' in l)).toBe(false);
    const b = browser(`http://127.0.0.1:${port}`);
    await b.client.auth.login.mutate({ email: 'root@example.com', password: adminPassword });
    expect((await b.client.auth.me.query()).user.name).toBe('Root Admin');
  });
});
