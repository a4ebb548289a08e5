import type { Hono, Context as HonoContext, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { stream } from 'hono/streaming';
import type { Services } from '../../deps.js';
import type { AppEnv } from '../../http-env.js';
import type { AuditScope } from '../../platform/audit-context.js';
import type { Logger } from '../../platform/logger.js';
import { bearerOf, guestCookieName, sessionCookieName } from '../../trpc/cookies.js';
import { type Actor, actorRef, can, type Permission } from '../access/permissions.js';

// Plain HTTP routes of the audit module (a file download and the public key do not fit
// tRPC). Like procedures, each declares its permission, and denials are audited.

type Env = AppEnv;

export const auditRoutePermissions = {
  'GET /audit/public-key': 'public',
  'GET /audit/export': 'audit:export',
} as const satisfies Record<string, Permission | 'public'>;

function scopeOf(c: HonoContext<Env>, action: string, actor: Actor | null): AuditScope {
  return {
    action,
    actor: actorRef(actor),
    ip: c.get('clientIp'),
    userAgent: c.req.header('user-agent') ?? null,
    requestId: c.get('requestId'),
    target: null,
    details: null,
    recorded: false,
    afterCommit: [],
  };
}

/** Session-cookie authentication plus one permission, for plain HTTP routes. */
export function requirePermission(services: Services, log: Logger, action: string, permission: Permission) {
  const mw: MiddlewareHandler<Env> = async function requirePermission(c, next) {
    const actor = await services.resolveActor({
      bearer: bearerOf(c.req.header('authorization')),
      sessionToken: getCookie(c, sessionCookieName),
      guestToken: getCookie(c, guestCookieName),
    });
    // A user who must still enrol in 2FA may do nothing but that, here as over tRPC.
    const mustEnrol = actor?.kind === 'user' && actor.mustEnrol2fa === true;
    if (!actor || !can(actor, permission) || mustEnrol) {
      const status = actor ? 403 : 401;
      const scope = scopeOf(c, action, actor);
      scope.details = { error: { code: actor ? 'FORBIDDEN' : 'UNAUTHORIZED' } };
      await services.audit
        .record(scope, 'denied')
        .catch((err) => log.error({ err }, 'could not write the audit record'));
      return c.json(
        {
          error: {
            code: actor ? 'FORBIDDEN' : 'UNAUTHORIZED',
            message: !actor
              ? 'Sign in to continue.'
              : mustEnrol
                ? 'Two-factor authentication is required: set it up in Settings › Profile first.'
                : `You lack the permission ${permission}.`,
          },
        },
        status,
      );
    }
    c.set('actor', actor);
    await next();
  };
  return mw;
}

export function mountAuditRoutes(app: Hono<Env>, services: Services, log: Logger) {
  app.get('/audit/public-key', (c) => c.json(services.audit.publicKey()));

  app.get('/audit/export', requirePermission(services, log, 'audit.export', 'audit:export'), async (c) => {
    const parse = (v: string | undefined) => {
      if (!v) return undefined;
      const d = new Date(v);
      return Number.isNaN(d.getTime()) ? null : d;
    };
    const from = parse(c.req.query('from'));
    const to = parse(c.req.query('to'));
    if (from === null || to === null) {
      return c.json({ error: { code: 'BAD_REQUEST', message: 'from and to must be ISO-8601 times.' } }, 400);
    }
    const scope = scopeOf(c, 'audit.export', c.get('actor'));
    scope.details = { from: from?.toISOString() ?? null, to: to?.toISOString() ?? null };
    await services.audit.record(scope, 'success');
    const name = `serverbox-audit-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`;
    c.header('Content-Type', 'application/x-ndjson; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="${name}"`);
    c.header('Cache-Control', 'no-store');
    return stream(c, async (s) => {
      for await (const chunk of services.audit.exportBundle({ from, to })) await s.write(chunk);
    });
  });
}
