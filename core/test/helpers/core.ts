import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import { EventSource } from 'eventsource';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createServices, openPlatform, type Platform, type Services } from '../../src/deps.js';
import { createLogger } from '../../src/platform/logger.js';
import type { AppRouter } from '../../src/trpc/router.js';
import { adminUrl, databaseUrl, redisUrl } from './env.js';

export const adminPassword = 'correct horse battery staple';

/** A fresh database cloned from the migrated template, and a fresh Redis logical DB. */
export async function freshStores() {
  const name = `sb_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template ${inject('templateDb')}`);
  const counter = new Redis(redisUrl());
  const n = 1 + ((await counter.incr('serverbox-test:next-db')) % 60);
  await counter.select(n);
  await counter.flushdb();
  counter.disconnect();
  return {
    databaseUrl: databaseUrl(name),
    redisUrl: `${redisUrl()}/${n}`,
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export interface TestCore {
  url: string;
  services: Services;
  platform: Platform;
  stores: { databaseUrl: string; redisUrl: string };
  close(): Promise<void>;
}

/** The real app over real HTTP on a loopback port, on real PostgreSQL and Redis. */
export async function startCore(
  env: Record<string, string> = {},
  stores?: { databaseUrl: string; redisUrl: string; drop?: () => Promise<void> },
): Promise<TestCore> {
  const s = stores ?? (await freshStores());
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-core-'));
  const config = loadConfig({
    DATABASE_URL: s.databaseUrl,
    REDIS_URL: s.redisUrl,
    SERVERBOX_DATA_DIR: dataDir,
    SERVERBOX_MASTER_KEY: randomBytes(32).toString('base64'),
    SERVERBOX_LOGIN_LIMIT_PER_IP: '1000',
    SERVERBOX_LOGIN_LIMIT_PER_ACCOUNT: '100',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const log = createLogger({ level: config.logLevel });
  const platform = await openPlatform(config, log);
  const services = createServices(platform);
  await services.bus.start();
  await services.audit.start();
  services.runs.startWorker();
  const app = createApp({ services, log, trustProxy: config.trustProxy, dashboardDir: '/nonexistent' });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    services,
    platform,
    stores: s,
    async close() {
      server.close();
      await services.services.stop();
      await services.bus.stop();
      await services.audit.stop();
      await services.jobs.close();
      await services.nodes.stop();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await platform.close();
      await s.drop?.();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser-like user agent: a cookie jar and the real tRPC client (batch + SSE links). */
export function browser(baseUrl: string) {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const jarFetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (jar.size) headers.set('cookie', cookieHeader());
    const res = await fetch(input, { ...init, headers });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/max-age=0/i.test(c) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: `${baseUrl}/trpc`,
          EventSource,
          eventSourceOptions: () => ({ fetch: jarFetch }) as EventSourceInit,
        }),
        false: httpBatchLink({ url: `${baseUrl}/trpc`, fetch: jarFetch }),
      }),
    ],
  });
  return { client, jar, fetch: jarFetch };
}
export type Browser = ReturnType<typeof browser>;

/** Issues a setup token, creates the first admin through the API, and returns the signed-in browser. */
export async function setupAdmin(core: TestCore, email = 'admin@example.com') {
  const issued = await core.services.auth.issueSetupToken();
  if (!issued) throw new Error('an admin exists already');
  const b = browser(core.url);
  await b.client.auth.setup.mutate({ token: issued.token, email, name: 'Ada Admin', password: adminPassword });
  return b;
}

export async function signedIn(core: TestCore, email = 'admin@example.com', password = adminPassword) {
  const b = browser(core.url);
  await b.client.auth.login.mutate({ email, password });
  return b;
}

/** Collects what a subscription yields, to await conditions on it. */
export function collect<T>() {
  const items: T[] = [];
  let error: unknown = null;
  let waiters: (() => void)[] = [];
  const notify = () => {
    for (const w of waiters) w();
    waiters = [];
  };
  return {
    items,
    get error() {
      return error;
    },
    push(item: T) {
      items.push(item);
      notify();
    },
    fail(err: unknown) {
      error = err;
      notify();
    },
    async until(pred: (items: T[]) => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!pred(items)) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(items).slice(0, 500)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
  };
}

export async function waitFor(pred: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** 'OK', or the tRPC error code a call ended with (the outcome a caller sees). */
export const outcomeOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'OK',
    (err) =>
      err instanceof TRPCClientError ? ((err as TRPCClientError<AppRouter>).data?.code ?? 'UNKNOWN') : String(err),
  );
