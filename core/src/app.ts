import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { trpcServer } from '@hono/trpc-server';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { Services } from './deps.js';
import type { AppEnv } from './http-env.js';
import { mountGuestLinkRoute } from './modules/access/guest-links.http.js';
import { mountAuditRoutes } from './modules/audit/audit.http.js';
import { mountFileRoutes } from './modules/nodes/files.http.js';
import { mountEventStream } from './modules/system/event-stream.route.js';
import type { Logger } from './platform/logger.js';
import { createContext } from './trpc/context.js';
import { bearerOf, guestCookieName, sessionCookieName } from './trpc/cookies.js';
import { appRouter } from './trpc/router.js';

export const maxBodyBytes = 1024 * 1024;

type Env = AppEnv;

export interface AppOptions {
  services: Services;
  log: Logger;
  trustProxy: boolean;
  dashboardDir?: string;
}

const defaultDashboardDir = fileURLToPath(new URL('../../dashboard/dist', import.meta.url));

const jsonError = (code: string, message: string) => ({ error: { code, message } });

export function createApp(o: AppOptions) {
  const app = new Hono<Env>();

  app.use(requestId());
  app.use(clientInfo(o.trustProxy));
  app.use(accessLog(o.log));
  app.use(
    secureHeaders({
      referrerPolicy: 'no-referrer',
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
    }),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const failing = await o.services.system.failing();
    if (failing.length === 0) return c.json({ status: 'ready' });
    return c.json({ status: 'unavailable', failing }, 503);
  });

  // The live event stream, written straight to the socket ahead of tRPC's SSE pipeline.
  mountEventStream(app, { services: o.services, log: o.log });
  app.use(
    '/trpc/*',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => c.json(jsonError('PAYLOAD_TOO_LARGE', `Request body exceeds ${maxBodyBytes} bytes.`), 413),
    }),
    mutationGuard(),
    csrf(),
    trpcServer({
      endpoint: '/trpc',
      router: appRouter,
      createContext: (opts, c) =>
        createContext({
          services: o.services,
          log: o.log,
          resHeaders: opts.resHeaders,
          req: {
            ip: c.get('clientIp'),
            userAgent: c.req.header('user-agent') ?? null,
            requestId: c.get('requestId'),
            secure: c.get('secure'),
            sessionToken: getCookie(c, sessionCookieName),
            guestToken: getCookie(c, guestCookieName),
            bearer: bearerOf(c.req.header('authorization')),
          },
        }) as unknown as Record<string, unknown>,
    }),
  );

  mountAuditRoutes(app, o.services, o.log);
  // Outside /trpc: its 1 MiB body limit and JSON-only guard do not apply; the routes bring
  // their own (Content-Length limit, custom header, Sec-Fetch-Site). See files.http.ts.
  mountFileRoutes(app, o.services, o.log);
  mountGuestLinkRoute(app, o.services, o.log);
  mountDashboard(app, o.dashboardDir ?? defaultDashboardDir, o.log);
  app.notFound((c) => c.json(jsonError('NOT_FOUND', 'No such route.'), 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      const status = err.status;
      return c.json(jsonError(status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST', err.message || 'Request refused.'), status);
    }
    o.log.error({ err, requestId: c.get('requestId') }, 'unhandled error');
    return c.json(jsonError('INTERNAL_SERVER_ERROR', 'Internal error'), 500);
  });
  return app;
}

function clientInfo(trustProxy: boolean): MiddlewareHandler<Env> {
  return async function clientInfo(c, next) {
    let ip: string | null = null;
    try {
      ip = getConnInfo(c).remote.address ?? null;
    } catch {
      ip = null; // not served by @hono/node-server (e.g. app.request in tests)
    }
    let secure = new URL(c.req.url).protocol === 'https:';
    if (trustProxy) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
      if (forwarded) ip = forwarded;
      if (c.req.header('x-forwarded-proto') === 'https') secure = true;
    }
    c.set('clientIp', ip?.replace(/^::ffff:/, '') ?? null);
    c.set('secure', secure);
    await next();
  };
}

function accessLog(log: Logger): MiddlewareHandler<Env> {
  return async function accessLog(c, next) {
    const t0 = performance.now();
    await next();
    const status = c.res.status;
    const entry = {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round((performance.now() - t0) * 10) / 10,
      ip: c.get('clientIp'),
    };
    if (status >= 500) log.warn(entry, 'request failed');
    else if (status >= 400) log.info(entry, 'request refused');
    else log.debug(entry, 'request');
  };
}

/**
 * CSRF beyond SameSite cookies and hono's csrf(): tRPC also accepts form and binary bodies,
 * which a browser sends cross-site without preflight, so mutations must be JSON, and any
 * request a browser marks as cross-site (Origin or Sec-Fetch-Site) is refused.
 */
function mutationGuard(): MiddlewareHandler<Env> {
  return async function mutationGuard(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const site = c.req.header('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none') {
      return c.json(jsonError('FORBIDDEN', 'Cross-site requests are refused.'), 403);
    }
    const origin = c.req.header('origin');
    if (origin && origin !== new URL(c.req.url).origin) {
      return c.json(jsonError('FORBIDDEN', 'Cross-origin requests are refused.'), 403);
    }
    const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      return c.json(jsonError('UNSUPPORTED_MEDIA_TYPE', 'Send mutations as application/json.'), 415);
    }
    return next();
  };
}

function mountDashboard(app: Hono<Env>, dir: string, log: Logger) {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    log.warn({ dir }, 'dashboard is not built; serving the API only (run: npm run build)');
    return;
  }
  const html = readFileSync(index, 'utf8');
  app.use(
    '/assets/*',
    serveStatic({
      root: dir,
      onFound: (_path, c) => {
        c.header('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  app.use('*', serveStatic({ root: dir }));
  // Client-side routes (/login, /setup, /settings/profile, ...) all load the SPA.
  app.get('*', (c, next) => {
    if (c.req.path.startsWith('/trpc') || c.req.path.startsWith('/assets/')) return next();
    c.header('Cache-Control', 'no-cache');
    return c.html(html);
  });
}
