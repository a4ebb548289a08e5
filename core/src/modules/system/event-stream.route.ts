import { ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { getTRPCErrorFromUnknown, getTRPCErrorShape } from '@trpc/server';
import type { Hono, Context as HonoContext, Next } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Services } from '../../deps.js';
import type { BusEvent } from '../../platform/events/topics.js';
import type { Logger } from '../../platform/logger.js';
import { createContext, type RequestMeta } from '../../trpc/context.js';
import { sessionCookieName } from '../../trpc/cookies.js';
import { type Actor, can } from '../access/permissions.js';
import { eventsRouter, onEventInput } from './system.router.js';

// `GET /trpc/events.onEvent` served without tRPC's SSE pipeline. tRPC moves every event
// through WHATWG streams and stringifies it once per subscriber: ~344 µs of CPU per delivery,
// so 1,000 tabs × 10 events/s saturated the core (docs/benchmarks.md, SSE fan-out). Here each
// event is serialized ONCE into a Buffer shared by every subscriber and written straight to
// the Node response, in tRPC v11's own SSE wire format, so the browser keeps its
// `httpSubscriptionLink` and notices nothing. The tRPC procedure stays the reference: the
// route serves only a signed-in user session holding `events:read` with input tRPC accepts;
// anything else (no session, a guest link or API token, a refusal, bad input) falls through
// to the procedure, so refusals, their error shape and their audit stay in one place.
// Events still come from the event-stream service (permission filter, revocation, resume).

export const eventStreamPath = '/trpc/events.onEvent';
const procedurePath = 'events.onEvent';

/** What the app's middleware (requestId, clientInfo) put on the context; read when present. */
export type EventStreamEnv = { Variables: { requestId: string; clientIp: string | null; secure: boolean } };

// The ping interval, the client options and the transformer are tRPC's own (trpc/init.ts).
const config = eventsRouter._def._config;
const pingMs = config.sse?.ping?.enabled ? (config.sse.ping.intervalMs ?? 1000) : 0;
/** A reader that takes no byte for this long is cut off: its client would give up by then too. */
const defaultStallMs = config.sse?.client?.reconnectAfterInactivityMs ?? 25_000;

// tRPC's framing: every field line, then "\n\n" (resolveResponse.ts, sseStreamProducer).
const frame = (fields: string) => Buffer.from(`${fields}\n\n\n`);
const connectedFrame = frame(`event: connected\ndata: ${JSON.stringify(config.sse?.client ?? {})}`);
const pingFrame = frame('event: ping\ndata: ');
const returnFrame = frame('event: return\ndata: ');
// tRPC's sseHeaders plus the Vary its fetch handler sets.
const sseHeaders = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
  vary: 'trpc-accept, accept',
};
const alreadySentHeader = 'x-hono-already-sent';

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The procedure's input as tRPC assembles it for a subscription (`?input=` JSON, then the
 * `Last-Event-ID` header or `lastEventId` query parameter an EventSource sends when it
 * reconnects), parsed with the procedure's schema; null when tRPC would refuse it.
 */
function readInput(url: URL, lastEventIdHeader: string | undefined) {
  let input: unknown;
  const raw = url.searchParams.get('input');
  if (raw) {
    try {
      input = config.transformer.input.deserialize(JSON.parse(raw));
    } catch {
      return null;
    }
  }
  const lastEventId = lastEventIdHeader ?? url.searchParams.get('lastEventId') ?? url.searchParams.get('Last-Event-Id');
  if (lastEventId) {
    if (isObject(input)) input = { ...input, lastEventId };
    else input ??= { lastEventId };
  }
  const parsed = onEventInput.safeParse(input);
  return parsed.success ? { raw: input, since: parsed.data?.lastEventId ?? null } : null;
}

/**
 * A per-request Response that @hono/node-server does not write (it skips bodiless responses
 * carrying `x-hono-already-sent`). Not the shared RESPONSE_ALREADY_SENT: the app's middleware
 * set headers on the returned response after the handler, and those are per request.
 */
function alreadySent(): Response {
  const res = new Response(null, { headers: { ...sseHeaders, [alreadySentHeader]: 'true' } });
  // @hono/node-server's lightweight Response would be written as is (its cached fast path
  // ignores x-hono-already-sent); reading `body` turns it into a native one.
  void res.body;
  return res;
}

export interface EventStreamRouteDeps {
  services: Services;
  log: Logger;
  /** How long a full socket may stay full before the stream is cut (tests shorten it). */
  stallMs?: number;
}

export function createEventStreamRoute(d: EventStreamRouteDeps) {
  const stallMs = d.stallMs ?? defaultStallMs;
  // Keyed by the bus event object: the bus hands the same object to every subscriber.
  const frames = new WeakMap<BusEvent, Buffer>();
  const frameOf = (e: BusEvent) => {
    let f = frames.get(e);
    if (!f) {
      f = frame(`data: ${JSON.stringify(config.transformer.output.serialize(e))}\nid: ${e.id}`);
      frames.set(e, f);
    }
    return f;
  };

  /** tRPC's `serialized-error` event: the error shape our errorFormatter gives the procedure. */
  function errorFrame(err: unknown, req: RequestMeta, input: unknown) {
    const ctx = createContext({ services: d.services, log: d.log, req, resHeaders: new Headers() });
    const error = getTRPCErrorFromUnknown(err);
    const shape = getTRPCErrorShape({ config, ctx, error, input, path: procedurePath, type: 'subscription' });
    return frame(`event: serialized-error\ndata: ${JSON.stringify(config.transformer.output.serialize(shape))}`);
  }

  async function pump(
    c: HonoContext<EventStreamEnv>,
    out: ServerResponse,
    stream: { actor: Actor; since: string | null; input: unknown; req: RequestMeta },
    ac: AbortController,
  ) {
    let ping: NodeJS.Timeout | null = null;
    const cutOff = (why: string) => {
      d.log.info({ requestId: stream.req.requestId, why }, 'event stream reader cut off; its client resumes');
      out.destroy();
      ac.abort();
    };
    /** Writes one frame; false when the socket buffer is full (wait for drained()). */
    const write = (buf: Buffer) => {
      if (out.destroyed || out.writableEnded) return false;
      ping?.refresh(); // tRPC pings only after a silent interval
      return out.write(buf);
    };
    // Back-pressure: once the socket buffer is full, the next event waits for 'drain', so a
    // slow reader's backlog stays in the bus's per-subscriber queue (shared event objects;
    // past 5,000 the bus ends the stream with a retryable error and the client resumes from
    // its last id). A reader that takes nothing for stallMs is cut off.
    const drained = () =>
      new Promise<boolean>((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          out.off('drain', onDrain);
          ac.signal.removeEventListener('abort', onAbort);
          resolve(ok);
        };
        const onDrain = () => done(true);
        const onAbort = () => done(false);
        const timer = setTimeout(() => done(false), stallMs);
        out.once('drain', onDrain);
        ac.signal.addEventListener('abort', onAbort, { once: true });
      });
    try {
      if (ac.signal.aborted) return;
      if (out.headersSent) {
        d.log.error({ requestId: stream.req.requestId }, 'event stream response was already written; dropping it');
        return;
      }
      // Written now, after the app's middleware (secureHeaders, ...) has set its headers on
      // the response the handler returned: the handler's chain runs in microtasks, this in a
      // later macrotask. A header a middleware set after real I/O would be missed, no more.
      const headers = new Headers(c.res.headers);
      headers.delete(alreadySentHeader);
      if (stream.req.requestId) headers.set('x-request-id', stream.req.requestId);
      out.writeHead(200, Object.fromEntries(headers));
      write(connectedFrame);
      if (pingMs > 0) {
        // A full socket takes no ping either; the drain wait decides whether the reader is gone.
        const tick = () => (out.writableNeedDrain ? ping?.refresh() : write(pingFrame));
        ping = setTimeout(tick, pingMs).unref();
      }
      const events = d.services.eventStream.stream(stream.actor, { since: stream.since, signal: ac.signal });
      try {
        for await (const e of events) {
          if (ac.signal.aborted) break;
          if (!write(frameOf(e)) && !(await drained())) {
            if (!ac.signal.aborted) cutOff(`no byte taken for ${stallMs} ms`);
            break;
          }
        }
        // The bus stopped (core shutting down): tRPC's end of a subscription.
        if (!ac.signal.aborted) write(returnFrame);
      } catch (err) {
        // Session revoked, a lastEventId the bus refuses, a reader the bus dropped, ...
        if (!ac.signal.aborted) write(errorFrame(err, stream.req, stream.input));
      }
    } catch (err) {
      d.log.error({ err, requestId: stream.req.requestId }, 'event stream failed');
    } finally {
      if (ping) clearTimeout(ping);
      if (!out.destroyed && !out.writableEnded) out.end();
    }
  }

  return async function eventStreamRoute(c: HonoContext<EventStreamEnv>, next: Next) {
    const out = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
    // Not on a Node HTTP/1 socket (app.request() in a test, HTTP/2): tRPC serves it.
    if (c.req.method !== 'GET' || !(out instanceof ServerResponse)) return next();
    // An Authorization header makes tRPC ignore cookies (app.ts): its actor is tRPC's to find.
    if (c.req.header('authorization') !== undefined) return next();
    const sessionToken = getCookie(c, sessionCookieName);
    let actor: Actor | null;
    try {
      actor = await d.services.auth.authenticate(sessionToken);
    } catch {
      return next(); // database away: tRPC answers SERVICE_UNAVAILABLE
    }
    if (!actor || !can(actor, 'events:read')) return next();
    const input = readInput(new URL(c.req.url), c.req.header('last-event-id'));
    if (!input) return next();

    const ac = new AbortController();
    out.once('close', () => ac.abort()); // the client went away
    const req: RequestMeta = {
      ip: c.get('clientIp') ?? null,
      userAgent: c.req.header('user-agent') ?? null,
      requestId: c.get('requestId'),
      secure: c.get('secure') ?? false,
      sessionToken,
    };
    setImmediate(() => void pump(c, out, { actor, since: input.since, input: input.raw, req }, ac));
    return alreadySent();
  };
}

/**
 * Serves the live event stream ahead of the tRPC mount. Call it after the request id,
 * client info and security header middleware, before `app.use('/trpc/*', ...)`.
 */
export function mountEventStream<E extends EventStreamEnv>(app: Hono<E>, d: EventStreamRouteDeps) {
  app.get(eventStreamPath, createEventStreamRoute(d));
}
