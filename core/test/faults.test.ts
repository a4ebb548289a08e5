import type { ChildProcess } from 'node:child_process';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminPassword,
  type Browser,
  freshStores,
  setupAdmin,
  startCore,
  type TestCore,
  waitFor,
} from './helpers/core.js';
import { adminUrl, redisUrl } from './helpers/env.js';
import { coreMain, freePort, requireBuild, run, startRedisServer, stop, tcpProxy } from './helpers/processes.js';

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (err) => (err instanceof TRPCClientError ? err.data?.code : String(err)),
  );
const readyz = async (url: string) => {
  const r = await fetch(`${url}/readyz`);
  return { status: r.status, body: (await r.json()) as { status: string; failing?: string[] } };
};

describe('Redis lost while running', () => {
  let redis: ChildProcess;
  let redisPort: number;
  let core: TestCore;
  let admin: Browser;
  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedisServer(redisPort);
    const stores = await freshStores();
    core = await startCore({}, { ...stores, redisUrl: `redis://127.0.0.1:${redisPort}` });
    admin = await setupAdmin(core);
  });
  afterAll(async () => {
    await core.close();
    await stop(redis);
  });

  it('reports redis in /readyz, fails sign-in with 503, and recovers by itself', async () => {
    expect((await readyz(core.url)).status).toBe(200);
    await stop(redis, 'SIGKILL');
    const down = await readyz(core.url);
    expect(down).toEqual({ status: 503, body: { status: 'unavailable', failing: ['redis'] } });
    expect(await codeOf(admin.client.auth.login.mutate({ email: 'admin@example.com', password: adminPassword }))).toBe(
      'SERVICE_UNAVAILABLE',
    );
    const raw = await fetch(`${core.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', password: adminPassword }),
    });
    expect(raw.status).toBe(503);
    // Reading state that lives in PostgreSQL still works.
    expect((await admin.client.auth.me.query()).user.email).toBe('admin@example.com');

    redis = await startRedisServer(redisPort);
    await waitFor(async () => (await readyz(core.url)).status === 200, 15_000, 'readyz to recover');
    expect(await codeOf(admin.client.auth.login.mutate({ email: 'admin@example.com', password: adminPassword }))).toBe(
      'OK',
    );

    // The event reader reconnected too: a new event reaches a new stream.
    const seen: string[] = [];
    const sub = admin.client.events.onEvent.subscribe(undefined, { onData: (e) => seen.push(e.data.topic) });
    await new Promise((r) => setTimeout(r, 300));
    await admin.client.auth.logoutOthers.mutate();
    await waitFor(() => seen.includes('auth.signedOut'), 10_000, 'event after Redis came back');
    sub.unsubscribe();
  });
});

describe('PostgreSQL lost while running', () => {
  let core: TestCore;
  let proxy: Awaited<ReturnType<typeof tcpProxy>>;
  let admin: Browser;
  let dropStores: () => Promise<void>;
  beforeAll(async () => {
    const pg = new URL(adminUrl());
    proxy = await tcpProxy({ host: pg.hostname, port: Number(pg.port) });
    const stores = await freshStores();
    dropStores = stores.drop;
    const viaProxy = new URL(stores.databaseUrl);
    viaProxy.port = String(proxy.port);
    core = await startCore({}, { databaseUrl: viaProxy.toString(), redisUrl: stores.redisUrl });
    admin = await setupAdmin(core);
  });
  afterAll(async () => {
    await core.close();
    await proxy.close();
    await dropStores();
  });

  it('reports database in /readyz, fails requests with 503, and recovers by itself', async () => {
    await proxy.cut();
    const down = await readyz(core.url);
    expect(down).toEqual({ status: 503, body: { status: 'unavailable', failing: ['database'] } });
    expect(await codeOf(admin.client.auth.me.query())).toBe('SERVICE_UNAVAILABLE');
    const raw = await fetch(`${core.url}/trpc/system.health`, {
      headers: { cookie: `sb_session=${admin.jar.get('sb_session')}` },
    });
    expect(raw.status).toBe(503);
    expect((await fetch(`${core.url}/healthz`)).status).toBe(200);

    await proxy.restore();
    await waitFor(async () => (await readyz(core.url)).status === 200, 15_000, 'readyz to recover');
    expect((await admin.client.auth.me.query()).user.email).toBe('admin@example.com');
    const health = await admin.client.system.health.query();
    expect(health.database.ok).toBe(true);
    expect(health.redis.ok).toBe(true);
  });
});

describe('dependencies down at start', () => {
  beforeAll(requireBuild);

  it('exits non-zero with one line naming the database', async () => {
    const deadPort = await freePort();
    const r = await run('node', [coreMain], {
      env: {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${deadPort}/nothing`,
        REDIS_URL: redisUrl(),
        SERVERBOX_DATA_DIR: `/tmp/sb-dead-${deadPort}`,
        PORT: '0',
        LOG_LEVEL: 'silent',
      },
    });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^serverbox: cannot start: cannot reach the database .*ECONNREFUSED/);
  });

  it('exits non-zero with one line naming Redis', async () => {
    const deadPort = await freePort();
    const r = await run('node', [coreMain], {
      env: {
        DATABASE_URL: adminUrl(),
        REDIS_URL: `redis://127.0.0.1:${deadPort}`,
        SERVERBOX_DATA_DIR: `/tmp/sb-dead-${deadPort}`,
        PORT: '0',
        LOG_LEVEL: 'silent',
      },
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^serverbox: cannot start: cannot reach Redis/);
  });

  it('exits non-zero on invalid configuration', async () => {
    const r = await run('node', [coreMain], { env: { PORT: 'eighty', SERVERBOX_DATA_DIR: '/tmp/sb-badcfg' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^serverbox: cannot start: invalid configuration: PORT/);
  });
});
