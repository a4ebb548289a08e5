import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Hono, Context as HonoContext } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Services } from '../../deps.js';
import {
  ConflictError,
  ForbiddenError,
  isInfrastructureError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../errors.js';
import type { AppEnv } from '../../http-env.js';
import { type AuditScope, auditContext } from '../../platform/audit-context.js';
import type { Logger } from '../../platform/logger.js';
import { SshError, type SshErrorCode } from '../../ssh/ssh-error.js';
import { bearerOf, guestCookieName, sessionCookieName } from '../../trpc/cookies.js';
import { type Actor, actorRef, can, type Permission } from '../access/permissions.js';
import { printable } from './file-paths.js';
import { FileTooLargeError } from './files.service.js';

// File transfer over plain HTTP: a raw streamed body does not fit tRPC (JSON, 1 MiB limit).
// Each route declares its permission, authenticates like every entry point
// (services.resolveActor), checks the permission against the node, and writes one audit row:
// success, failure or denied, with the node as target and {path, bytes}, never contents.
//
// CSRF: the app's mutationGuard and body limit cover /trpc only. Uploads require the custom
// header `X-Serverbox-Transfer: 1`, which a cross-site page can only send after a CORS
// preflight that this server never grants, and any request the browser marks cross-site
// (Sec-Fetch-Site, Origin) is refused. The size limit is ours: Content-Length is required
// and checked before anything reaches the node, and the body streams through, never buffered.

export const filesPath = '/api/nodes/:id/files';
export const transferHeader = 'x-serverbox-transfer';

export const fileRoutePermissions = {
  'PUT /api/nodes/:id/files': 'files:write',
  'GET /api/nodes/:id/files': 'files:read',
} as const satisfies Record<string, Permission>;

type Ctx = HonoContext<AppEnv>;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const sshStatus: Record<SshErrorCode, [number, string]> = {
  unreachable: [502, 'BAD_GATEWAY'],
  'auth-failed': [502, 'BAD_GATEWAY'],
  'connection-lost': [502, 'BAD_GATEWAY'],
  'output-limit': [502, 'BAD_GATEWAY'],
  'host-key-unknown': [412, 'PRECONDITION_FAILED'],
  'host-key-mismatch': [412, 'PRECONDITION_FAILED'],
  'sudo-required': [412, 'PRECONDITION_FAILED'],
  timeout: [504, 'GATEWAY_TIMEOUT'],
  busy: [503, 'SERVICE_UNAVAILABLE'],
  cancelled: [499, 'CLIENT_CLOSED_REQUEST'],
};

/** The one mapping of this adapter: error → HTTP status, code and message. */
function responseOf(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof HttpRefusal) return { status: err.status, code: err.code, message: err.message };
  if (err instanceof FileTooLargeError) return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: err.message };
  if (err instanceof ValidationError) return { status: 400, code: 'BAD_REQUEST', message: err.message };
  if (err instanceof NotFoundError) return { status: 404, code: 'NOT_FOUND', message: err.message };
  if (err instanceof ForbiddenError) return { status: 403, code: 'FORBIDDEN', message: err.message };
  if (err instanceof UnauthenticatedError) return { status: 401, code: 'UNAUTHORIZED', message: err.message };
  if (err instanceof ConflictError) return { status: 409, code: 'CONFLICT', message: err.message };
  if (err instanceof SshError) {
    const [status, code] = sshStatus[err.code];
    return { status, code, message: err.message };
  }
  if (isInfrastructureError(err))
    return {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'A backing service is unavailable; try again shortly.',
    };
  return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal error' };
}

function scopeOf(c: Ctx, action: string, actor: Actor | null, path: string | undefined): AuditScope {
  return {
    action,
    actor: actorRef(actor),
    ip: c.get('clientIp'),
    userAgent: c.req.header('user-agent') ?? null,
    requestId: c.get('requestId'),
    target: { type: 'node', id: uuid.test(c.req.param('id') ?? '') ? (c.req.param('id') as string) : null, name: null },
    details: { path: path === undefined ? null : printable(path), bytes: 0 },
    recorded: false,
    afterCommit: [],
  };
}

/** `attachment` with an ASCII fallback name and the exact one in RFC 5987 form. */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 150) || 'download';
  const exact = encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

const flag = (v: string | undefined) => v === '1' || v === 'true';

export function mountFileRoutes(app: Hono<AppEnv>, services: Services, log: Logger) {
  const record = (scope: AuditScope, outcome: 'success' | 'failure' | 'denied') =>
    services.audit
      .record(scope, outcome)
      .catch((err) => log.error({ err, action: scope.action }, 'could not write the audit record'));

  /** Who is calling, whether they may, and whether the browser says another site sent it. */
  async function admit(c: Ctx, scope: AuditScope, permission: Permission, upload: boolean): Promise<Actor> {
    const actor = await services.resolveActor({
      bearer: bearerOf(c.req.header('authorization')),
      sessionToken: getCookie(c, sessionCookieName),
      guestToken: getCookie(c, guestCookieName),
    });
    scope.actor = actorRef(actor);
    if (!actor) throw new HttpRefusal(401, 'UNAUTHORIZED', 'Sign in to continue.');
    const site = c.req.header('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none')
      throw new HttpRefusal(403, 'FORBIDDEN', 'Cross-site requests are refused.');
    if (upload) {
      const origin = c.req.header('origin');
      if (origin && origin !== new URL(c.req.url).origin)
        throw new HttpRefusal(403, 'FORBIDDEN', 'Cross-origin requests are refused.');
      if (c.req.header(transferHeader) !== '1')
        throw new HttpRefusal(403, 'FORBIDDEN', 'Uploads need the header X-Serverbox-Transfer: 1.');
    }
    if (!can(actor, permission)) throw new HttpRefusal(403, 'FORBIDDEN', `You lack the permission ${permission}.`);
    if (actor.kind === 'user' && actor.mustEnrol2fa)
      throw new HttpRefusal(
        403,
        'FORBIDDEN',
        'Two-factor authentication is required: set it up in Settings › Profile first.',
      );
    return actor;
  }

  /** Answers a refusal or failure and audits it (401/403 before any effect count as denied). */
  async function refuse(c: Ctx, scope: AuditScope, err: unknown) {
    const r = responseOf(err);
    if (r.status === 500) log.error({ err, requestId: c.get('requestId') }, 'file transfer failed');
    scope.details = { ...scope.details, error: { code: r.code, message: r.message } };
    const denied = err instanceof HttpRefusal && (r.status === 401 || r.status === 403);
    await record(scope, denied ? 'denied' : 'failure');
    c.header('Cache-Control', 'no-store');
    return c.json({ error: { code: r.code, message: r.message } }, r.status as 400);
  }

  app.put(filesPath, async (c) => {
    const path = c.req.query('path');
    const scope = scopeOf(c, 'files.put', null, path);
    try {
      const actor = await admit(c, scope, fileRoutePermissions['PUT /api/nodes/:id/files'], true);
      const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/octet-stream')
        throw new HttpRefusal(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the file as application/octet-stream.');
      const length = c.req.header('content-length');
      if (length === undefined || !/^\d{1,16}$/.test(length))
        throw new HttpRefusal(411, 'LENGTH_REQUIRED', 'Uploads need a Content-Length header.');
      const size = Number(length);
      const max = services.files.limits.maxBytes;
      if (size > max)
        throw new FileTooLargeError(`The upload is ${size} bytes; the limit is ${max} bytes.`, { limit: max });
      const id = c.req.param('id');
      if (!uuid.test(id)) throw new NotFoundError('No such node.');
      const body = c.req.raw.body;
      const stream = body ? Readable.fromWeb(body as WebReadableStream<Uint8Array>) : Readable.from([]);
      const result = await auditContext.run(scope, () =>
        services.files.put(actor, id, {
          path: path ?? '',
          mode: c.req.query('mode'),
          size,
          stream,
          root: flag(c.req.query('root')),
          transferId: c.req.query('transferId'),
          signal: c.req.raw.signal,
        }),
      );
      await record(scope, 'success');
      c.header('Cache-Control', 'no-store');
      return c.json(result);
    } catch (err) {
      return refuse(c, scope, err);
    }
  });

  app.get(filesPath, async (c) => {
    // Hono answers HEAD through this handler: it would open a download nobody reads.
    if (c.req.method === 'HEAD') {
      c.header('Allow', 'GET, PUT');
      return c.body(null, 405);
    }
    const path = c.req.query('path');
    const scope = scopeOf(c, 'files.get', null, path);
    let opened: Awaited<ReturnType<Services['files']['get']>>;
    try {
      const actor = await admit(c, scope, fileRoutePermissions['GET /api/nodes/:id/files'], false);
      const id = c.req.param('id');
      if (!uuid.test(id)) throw new NotFoundError('No such node.');
      opened = await auditContext.run(scope, () =>
        services.files.get(actor, id, {
          path: path ?? '',
          root: flag(c.req.query('root')),
          transferId: c.req.query('transferId'),
          signal: c.req.raw.signal,
        }),
      );
    } catch (err) {
      return refuse(c, scope, err);
    }
    // The row is written when the last byte has gone (or the transfer broke), with the count.
    opened.finished.then(
      ({ bytes }) => {
        scope.details = { ...scope.details, bytes };
        void record(scope, 'success');
      },
      (err: unknown) => {
        const r = responseOf(err);
        scope.details = { ...scope.details, error: { code: r.code, message: r.message } };
        void record(scope, 'failure');
      },
    );
    c.header('Content-Type', 'application/octet-stream');
    c.header('Content-Length', String(opened.size));
    c.header('Content-Disposition', contentDisposition(opened.name));
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
    c.header('X-Serverbox-Transfer-Id', opened.transferId);
    return c.body(Readable.toWeb(opened.stream) as ReadableStream);
  });
}
