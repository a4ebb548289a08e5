import type { Hono } from 'hono';
import type { Services } from '../../deps.js';
import { DomainError, RateLimitedError } from '../../errors.js';
import type { AppEnv } from '../../http-env.js';
import { type AuditScope, auditContext } from '../../platform/audit-context.js';
import type { Logger } from '../../platform/logger.js';
import { guestCookie } from '../../trpc/cookies.js';

// GET /g/<token> (public): the one route a guest link points at. It swaps the token for a
// guest cookie and redirects to the dashboard so the token leaves the address bar (and,
// with Referrer-Policy: no-referrer, never travels onward).

const page = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>body{background:#0b0d12;color:#e6e8ee;font:16px system-ui,sans-serif;display:grid;place-items:center;height:100vh;margin:0}main{max-width:28rem;padding:2rem;border:1px solid #232836;border-radius:12px;background:#11141b}h1{font-size:1.2rem}</style></head><body><main><h1>${title}</h1><p>${text}</p></main></body></html>`;

export function mountGuestLinkRoute(app: Hono<AppEnv>, services: Services, log: Logger) {
  app.get('/g/:token', async (c) => {
    const scope: AuditScope = {
      action: 'guests.open',
      actor: { type: 'anonymous', id: null, name: 'anonymous' },
      ip: c.get('clientIp'),
      userAgent: c.req.header('user-agent') ?? null,
      requestId: c.get('requestId'),
      target: null,
      details: null,
      recorded: false,
      afterCommit: [],
    };
    try {
      const opened = await auditContext.run(scope, () =>
        services.guests.open(c.req.param('token'), { ip: c.get('clientIp') }),
      );
      for (const f of scope.afterCommit) f();
      c.header('Set-Cookie', guestCookie(opened.sessionToken, opened.maxAgeSeconds, c.get('secure')));
      c.header('Cache-Control', 'no-store');
      return c.redirect('/', 303);
    } catch (err) {
      const limited = err instanceof RateLimitedError;
      const known = err instanceof DomainError;
      if (!scope.recorded) {
        scope.details = { error: { code: limited ? 'TOO_MANY_REQUESTS' : known ? 'UNAUTHORIZED' : 'UNAVAILABLE' } };
        await services.audit
          .record(scope, 'denied')
          .catch((e) => log.error({ err: e }, 'could not write the audit record'));
      }
      c.header('Cache-Control', 'no-store');
      if (limited)
        return c.html(page('Too many attempts', 'Too many guest links were tried from here. Try again later.'), 429);
      if (known) {
        return c.html(
          page(
            'This link does not work',
            'The guest link is invalid, expired, revoked or used up. Ask whoever sent it for a new one.',
          ),
          401,
        );
      }
      log.error({ err }, 'guest link open failed');
      return c.html(page('Unavailable', 'serverbox cannot check this link right now. Try again shortly.'), 503);
    }
  });
}
