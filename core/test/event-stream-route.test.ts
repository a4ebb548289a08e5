import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { TRPCClientError } from '@trpc/client';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { type EventStreamEnv, eventStreamPath, mountEventStream } from '../src/modules/system/event-stream.route.js';
import type { BusEvent } from '../src/platform/events/topics.js';
import { createLogger } from '../src/platform/logger.js';
import type { AppRouter } from '../src/trpc/router.js';
import { type Browser, browser, collect, setupAdmin, signedIn, startCore, type TestCore } from './helpers/core.js';

// The route mounted as app.ts is to mount it (mountEventStream after the request id and
// security headers, before the tRPC mount) in front of the real app, which serves the rest
// and whatever the route passes on. The plain core next to it serves the same procedure
// through tRPC's own SSE pipeline: the reference the route must match byte for byte.

interface RouteServer {
  url: string;
  /** Requests the route passed on to the tRPC procedure. */
  fellThrough: number;
  close(): Promise<void>;
}

async function serveWithRoute(core: TestCore, opts: { stallMs?: number } = {}): Promise<RouteServer> {
  const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const state = { fellThrough: 0 };
  const app = new Hono<EventStreamEnv>();
  app.use(requestId());
  app.use(secureHeaders({ referrerPolicy: 'no-referrer' }));
  mountEventStream(app, { services: core.services, log, ...opts });
  app.use(eventStreamPath, async (_c, next) => {
    state.fellThrough++;
    await next();
  });
  app.route('/', createApp({ services: core.services, log, trustProxy: false, dashboardDir: '/nonexistent' }));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get fellThrough() {
      return state.fellThrough;
    },
    async close() {
      server.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
    },
  };
}

/** A curl-like reader: the raw bytes of one SSE response. */
function rawStream(url: string, headers: Record<string, string> = {}) {
  let text = '';
  let ended = false;
  const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } });
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.on('response', (r) => {
      r.setEncoding('utf8');
      r.on('data', (d: string) => {
        text += d;
      });
      r.on('close', () => {
        ended = true;
      });
      resolve(r);
    });
    req.on('error', (err) => {
      ended = true;
      reject(err);
    });
  });
  response.catch(() => {});
  return {
    response,
    get text() {
      return text;
    },
    get ended() {
      return ended;
    },
    async until(pred: (text: string) => boolean, timeoutMs = 5000, what = 'condition') {
      const deadline = Date.now() + timeoutMs;
      while (!pred(text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${text.slice(-500)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close() {
      req.destroy();
    },
  };
}

/** The same signed-in user agent, talking to the server with the route. */
function through(server: RouteServer, b: Browser): Browser {
  const other = browser(server.url);
  for (const [k, v] of b.jar) other.jar.set(k, v);
  return other;
}
const cookieOf = (b: Browser) => [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ');
const streamUrl = (base: string, input: unknown = {}) =>
  `${base}${eventStreamPath}?input=${encodeURIComponent(JSON.stringify(input))}`;
const idLines = (text: string) => text.match(/^id: .*$/gm) ?? [];
/** The `serialized-error` payload of a raw stream, without the per-request id. */
function errorOf(text: string) {
  const m = text.match(/^event: serialized-error\ndata: (.*)$/m);
  if (!m?.[1]) return null;
  const shape = JSON.parse(m[1]) as { data: { requestId?: string } };
  expect(shape.data.requestId).toEqual(expect.any(String));
  delete shape.data.requestId;
  return shape;
}

function subscribe(b: Browser, lastEventId?: string | null) {
  const got = collect<{ id: string; data: BusEvent }>();
  let completed = false;
  const sub = b.client.events.onEvent.subscribe(lastEventId === undefined ? undefined : { lastEventId }, {
    onData: (e) => got.push({ id: e.id, data: e.data as BusEvent }),
    onError: (err) => got.fail(err),
    onComplete: () => {
      completed = true;
    },
  });
  return {
    got,
    stop: () => sub.unsubscribe(),
    get ended() {
      return completed || got.error !== null;
    },
  };
}

const passwordChanged = (core: TestCore, name: string) =>
  core.services.bus.publish('auth.passwordChanged', {
    user: { id: name, name, email: `${name.toLowerCase().replace(/\W/g, '')}@example.com` },
  });

let core: TestCore;
let route: RouteServer;
let admin: Browser;
beforeAll(async () => {
  core = await startCore();
  admin = await setupAdmin(core);
  route = await serveWithRoute(core);
});
afterAll(async () => {
  await route?.close();
  await core?.close();
});

describe('the event stream route', () => {
  it('delivers to the real tRPC client exactly what the tRPC procedure delivers', async () => {
    const viaRoute = through(route, admin);
    const before = route.fellThrough;
    const tab = subscribe(viaRoute);
    const reference = subscribe(admin); // the plain core: tRPC's own SSE
    await new Promise((r) => setTimeout(r, 300));
    await passwordChanged(core, 'Live One');
    await signedIn(core);
    const bothSignIns = (i: { data: BusEvent }[]) =>
      i.some((e) => e.data.topic === 'auth.passwordChanged') && i.some((e) => e.data.topic === 'auth.signedIn');
    await tab.got.until(bothSignIns, 5000, 'events through the route');
    await reference.got.until(bothSignIns, 5000, 'events through tRPC');
    await new Promise((r) => setTimeout(r, 200));
    expect(tab.got.items).toEqual(reference.got.items);
    expect(tab.got.items[0]?.id).toBe(tab.got.items[0]?.data.id);
    expect(route.fellThrough).toBe(before); // served by the route, not by tRPC
    expect(tab.ended).toBe(false);
    tab.stop();
    reference.stop();
  });

  it('writes the same bytes as tRPC, and a raw reader sees connected, id: lines and a ping', async () => {
    const { cursor } = await admin.client.events.recent.query({ limit: 1 });
    for (const n of ['Raw A', 'Raw B', 'Raw C']) await passwordChanged(core, n);
    const cookie = cookieOf(admin);
    const mine = rawStream(streamUrl(route.url, { lastEventId: cursor }), { cookie });
    const theirs = rawStream(streamUrl(core.url, { lastEventId: cursor }), { cookie });
    await mine.until((t) => idLines(t).length >= 3, 5000, 'three events via the route');
    await theirs.until((t) => idLines(t).length >= 3, 5000, 'three events via tRPC');
    expect(mine.text).toBe(theirs.text);
    expect(mine.text.startsWith('event: connected\ndata: {"reconnectAfterInactivityMs":25000}\n\n\n')).toBe(true);
    expect(idLines(mine.text)).toHaveLength(3);
    const res = await mine.response;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['cache-control']).toBe('no-cache, no-transform');
    expect(res.headers['x-content-type-options']).toBe('nosniff'); // the app's security headers
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    theirs.close();
    // Silence for 10 s (trpc/init.ts sse.ping) brings a ping; the stream stays open.
    const at = mine.text.length;
    await mine.until((t) => t.slice(at) === 'event: ping\ndata: \n\n\n', 12_000, 'a ping');
    expect(mine.ended).toBe(false);
    mine.close();
  }, 20_000);

  it('resumes from lastEventId, from the input or the Last-Event-ID header, without loss or duplicates', async () => {
    const { cursor } = await admin.client.events.recent.query({ limit: 1 });
    for (const n of ['User 0', 'User 1', 'User 2']) await passwordChanged(core, n);
    const viaRoute = through(route, admin);
    const tab = subscribe(viaRoute, cursor);
    await tab.got.until((i) => i.length >= 3, 5000, 'backfill');
    await passwordChanged(core, 'User 3');
    await tab.got.until((i) => i.length >= 4, 5000, 'live event after backfill');
    await new Promise((r) => setTimeout(r, 300));
    const names = tab.got.items.map((e) =>
      e.data.topic === 'auth.passwordChanged' ? e.data.data.user.name : e.data.topic,
    );
    expect(names).toEqual(['User 0', 'User 1', 'User 2', 'User 3']);
    tab.stop();

    // An EventSource reconnecting sends the last id it saw as a header; it wins over the input.
    const second = tab.got.items[1]?.id as string;
    const raw = rawStream(streamUrl(route.url, { lastEventId: cursor }), {
      cookie: cookieOf(admin),
      'last-event-id': second,
    });
    await raw.until((t) => idLines(t).length >= 2, 5000, 'resumed events');
    await new Promise((r) => setTimeout(r, 200));
    expect(idLines(raw.text)).toEqual([`id: ${tab.got.items[2]?.id}`, `id: ${tab.got.items[3]?.id}`]);
    raw.close();
  });

  it('leaves anonymous callers and API tokens to the procedure: UNAUTHORIZED, as before', async () => {
    const before = route.fellThrough;
    const anon = subscribe(browser(route.url));
    await anon.got.until(() => anon.got.error !== null, 5000, 'an error');
    expect((anon.got.error as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
    anon.stop();
    const raw = rawStream(streamUrl(route.url));
    await raw.until(() => raw.ended, 5000, 'the refused stream to end');
    expect(raw.text.startsWith('event: connected\n')).toBe(true);
    expect(errorOf(raw.text)).toEqual({
      message: 'Sign in to continue.',
      code: -32001,
      data: { code: 'UNAUTHORIZED', httpStatus: 401, path: 'events.onEvent' },
    });
    expect(idLines(raw.text)).toEqual([]);
    // A bearer token makes tRPC ignore the session cookie: the route must not serve the cookie.
    const bearer = rawStream(streamUrl(route.url), { cookie: cookieOf(admin), authorization: 'Bearer nope' });
    await bearer.until(() => bearer.ended, 5000, 'the bearer stream to end');
    expect(errorOf(bearer.text)).toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    expect(route.fellThrough).toBe(before + 3); // refusals are the procedure's
  });

  it('refuses a malformed lastEventId or input with BAD_REQUEST', async () => {
    const viaRoute = through(route, admin);
    const tab = subscribe(viaRoute, 'not-an-id');
    await tab.got.until(() => tab.got.error !== null, 5000, 'an error');
    const err = tab.got.error as TRPCClientError<AppRouter>;
    expect(err.data?.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/event id/);

    // Byte for byte the shape tRPC and our errorFormatter give, for each way of being wrong.
    const cookie = cookieOf(admin);
    const cases: [string, Record<string, string>][] = [
      [streamUrl(route.url, { lastEventId: 'not-an-id' }), {}], // refused by the event bus
      [streamUrl(route.url), { 'last-event-id': 'nope' }],
      [streamUrl(route.url, { lastEventId: 'x'.repeat(65) }), {}], // refused by the schema
      [`${route.url}${eventStreamPath}?input=%7Bx`, {}], // not JSON
    ];
    for (const [url, headers] of cases) {
      const mine = rawStream(url, { cookie, ...headers });
      const theirs = rawStream(url.replace(route.url, core.url), { cookie, ...headers });
      await mine.until(() => mine.ended, 5000, `the refused stream to end (${url})`);
      await theirs.until(() => theirs.ended, 5000, 'the tRPC stream to end');
      const shape = errorOf(mine.text);
      expect(shape).toMatchObject({ data: { code: 'BAD_REQUEST', path: 'events.onEvent' } });
      expect(shape).toEqual(errorOf(theirs.text));
      expect(mine.text.replace(/"requestId":"[^"]*"/, '')).toBe(theirs.text.replace(/"requestId":"[^"]*"/, ''));
    }
  });

  it('ends a session’s stream within 5 s of its revocation, with tRPC’s UNAUTHORIZED', async () => {
    const victim = await signedIn(core);
    const viaRoute = through(route, victim);
    const tab = subscribe(viaRoute);
    const raw = rawStream(streamUrl(route.url), { cookie: cookieOf(victim) });
    await raw.until((t) => t.startsWith('event: connected'), 5000, 'connected');
    await new Promise((r) => setTimeout(r, 300));
    const before = core.services.eventStream.openStreams();
    const { revoked } = await admin.client.auth.logoutOthers.mutate();
    expect(revoked).toBeGreaterThanOrEqual(1);
    const t0 = Date.now();
    await tab.got.until(() => tab.ended, 5000, 'the revoked stream to end');
    await raw.until(() => raw.ended, 5000, 'the raw revoked stream to end');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((tab.got.error as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
    expect(errorOf(raw.text)).toEqual({
      message: 'Your session has ended.',
      code: -32001,
      data: { code: 'UNAUTHORIZED', httpStatus: 500, path: 'events.onEvent' }, // as tRPC (error after start)
    });
    expect(core.services.eventStream.openStreams()).toBeLessThanOrEqual(before - 2);
    tab.stop();
  });

  it('stops reading the bus when the client goes away', async () => {
    const base = core.services.eventStream.openStreams();
    const raw = rawStream(streamUrl(route.url), { cookie: cookieOf(admin) });
    await raw.until((t) => t.startsWith('event: connected'), 5000, 'connected');
    await new Promise((r) => setTimeout(r, 100));
    expect(core.services.eventStream.openStreams()).toBe(base + 1);
    raw.close();
    const deadline = Date.now() + 5000;
    while (core.services.eventStream.openStreams() > base && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(core.services.eventStream.openStreams()).toBe(base);
  });

  it('paces a slow reader and cuts off one that takes nothing; the live client loses nothing', async () => {
    // The same mount with a 1 s stall limit instead of the client's 25 s inactivity window.
    const impatient = await serveWithRoute(core, { stallMs: 1000 });
    try {
      const stuck = rawStream(streamUrl(impatient.url), { cookie: cookieOf(admin) });
      const res = await stuck.response;
      res.pause(); // reads nothing more: the kernel's socket buffers, then the core's, fill
      const tab = subscribe(through(impatient, admin));
      await new Promise((r) => setTimeout(r, 300));
      const base = core.services.eventStream.openStreams();
      const count = 400; // 400 × 16 kB: a burst far beyond the socket buffers
      const pipeline = core.platform.redis.pipeline();
      for (let i = 0; i < count; i++) {
        const user = { id: `big${i}`, name: 'x'.repeat(16 * 1024), email: 'big@example.com' };
        pipeline.xadd(
          'serverbox:events',
          '*',
          't',
          'auth.passwordChanged',
          'at',
          new Date().toISOString(),
          'd',
          JSON.stringify({ user }),
        );
      }
      await pipeline.exec();
      const bigIds = (items: { data: BusEvent }[]) =>
        items.flatMap((e) =>
          e.data.topic === 'auth.passwordChanged' && e.data.data.user.id.startsWith('big') ? [e.data.data.user.id] : [],
        );
      await tab.got.until((i) => bigIds(i).length >= count, 20_000, 'the whole burst');
      expect(bigIds(tab.got.items)).toEqual(Array.from({ length: count }, (_, i) => `big${i}`));
      expect(tab.ended).toBe(false);
      // The stuck reader's stream was dropped, not buffered without end.
      const deadline = Date.now() + 5000;
      while (core.services.eventStream.openStreams() >= base && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(core.services.eventStream.openStreams()).toBe(base - 1);
      tab.stop();
      stuck.close();
    } finally {
      await impatient.close();
    }
  }, 40_000);
});

describe('shutdown', () => {
  it('ends open streams with tRPC’s return event when the bus stops', async () => {
    const own = await startCore();
    const ownRoute = await serveWithRoute(own);
    try {
      const b = await setupAdmin(own);
      const raw = rawStream(streamUrl(ownRoute.url), { cookie: cookieOf(b) });
      await raw.until((t) => t.startsWith('event: connected'), 5000, 'connected');
      await new Promise((r) => setTimeout(r, 100));
      await own.services.bus.stop();
      await raw.until(() => raw.ended, 5000, 'the stream to end');
      expect(raw.text.endsWith('event: return\ndata: \n\n\n')).toBe(true);
    } finally {
      await ownRoute.close();
      await own.close();
    }
  });
});
