import { createHash, randomBytes } from 'node:crypto';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import {
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from '../../errors.js';
import { annotateAudit } from '../../platform/audit-context.js';
import type { Database } from '../../platform/db/client.js';
import type { EventBus } from '../../platform/events/bus.js';
import type { Logger } from '../../platform/logger.js';
import type { Redis } from '../../platform/redis.js';
import type { GuestLinkRepository } from './guest-links.repository.js';
import { type GuestActor, guestGrantable, type NodeScope, type Permission, type UserActor } from './permissions.js';

// Guest links give an auditor read-only access for a bounded time without an account.
// The link's token (256 bits) is shown once; opening it swaps it for a short-lived guest
// cookie, and every request and open stream re-checks the link row.

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const guestSessionMaxSeconds = 12 * 3600;

export type GuestLinkStatus = 'active' | 'expired' | 'revoked' | 'used up';

export function createGuestLinkService(d: {
  db: Database;
  links: GuestLinkRepository;
  events: EventBus;
  redis: Redis;
  log: Logger;
  maxHours: number;
  openLimitPerIp: number;
}) {
  // Guessing 256-bit tokens is hopeless, but failed opens are still throttled per IP.
  const limiter = new RateLimiterRedis({
    storeClient: d.redis,
    keyPrefix: 'rl:guest-open',
    points: d.openLimitPerIp,
    duration: 900,
    blockDuration: 900,
  });
  const guard = async (f: () => Promise<unknown>) => {
    try {
      await f();
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        throw new RateLimitedError(
          'Too many attempts to open guest links. Try again later.',
          Math.ceil(err.msBeforeNext / 1000),
        );
      }
      throw new UnavailableError('Redis is unavailable');
    }
  };

  const publish: EventBus['publish'] = (topic, data) =>
    d.events.publish(topic, data).catch((err) => {
      d.log.warn({ err: (err as Error).message, topic }, 'could not publish event');
      return '';
    });

  return {
    async create(
      actor: UserActor,
      input: {
        label: string;
        permissions: Permission[];
        expiresInHours: number;
        maxUses?: number | null;
        nodeScope?: NodeScope;
      },
    ) {
      const grantable = new Set<Permission>(guestGrantable);
      const refused = input.permissions.filter((p) => !grantable.has(p));
      if (refused.length)
        throw new ValidationError(`Guest links can only grant read-only access; not ${refused.join(', ')}.`);
      if (input.expiresInHours > d.maxHours)
        throw new ValidationError(`A guest link lasts at most ${d.maxHours} hours.`);
      const token = randomBytes(32).toString('base64url');
      const row = await d.db.transaction((tx) =>
        d.links.insert(tx, {
          label: input.label,
          tokenHash: hashToken(token),
          permissions: [...new Set(input.permissions)],
          nodeScope: input.nodeScope ?? null,
          createdBy: actor.userId,
          expiresAt: new Date(Date.now() + input.expiresInHours * 3600_000),
          maxUses: input.maxUses ?? null,
        }),
      );
      annotateAudit({ target: { type: 'guest-link', id: row.id, name: input.label } });
      return { id: row.id, token, path: `/g/${token}`, expiresAt: row.expiresAt.toISOString() };
    },

    async list() {
      const now = Date.now();
      const rows = await d.links.list();
      return rows.map((l) => {
        const status: GuestLinkStatus = l.revokedAt
          ? 'revoked'
          : l.expiresAt.getTime() <= now
            ? 'expired'
            : l.maxUses !== null && l.uses >= l.maxUses
              ? 'used up'
              : 'active';
        return {
          id: l.id,
          label: l.label,
          permissions: l.permissions,
          nodeScope: l.nodeScope ?? null,
          status,
          uses: l.uses,
          maxUses: l.maxUses,
          createdBy: l.createdBy,
          createdAt: l.createdAt.toISOString(),
          expiresAt: l.expiresAt.toISOString(),
          lastUsedAt: l.lastUsedAt?.toISOString() ?? null,
          revokedAt: l.revokedAt?.toISOString() ?? null,
        };
      });
    },

    /** Revocation ends the link's guest sessions and their open streams at once. */
    async revoke(id: string) {
      annotateAudit({ target: { type: 'guest-link', id, name: null } });
      const sessions = await d.db.transaction((tx) => d.links.revoke(tx, id));
      if (sessions === null) throw new NotFoundError('No such guest link.');
      if (sessions.length) await publish('sessions.revoked', { sessionIds: sessions });
    },

    /** Exchanges a link token for a guest session cookie token. */
    async open(token: string, req: { ip: string | null }) {
      const ip = req.ip ?? 'unknown';
      await guard(async () => {
        const r = await limiter.get(ip);
        if (r && r.consumedPoints >= d.openLimitPerIp) throw r;
      });
      const refused = () => new UnauthenticatedError('This guest link is invalid, expired, revoked or used up.');
      try {
        if (!/^[\w-]{43}$/.test(token)) throw refused();
        // Refusing inside the transaction rolls it back, so no "success" row is audited.
        return await d.db.transaction(async (tx) => {
          const link = await d.links.use(tx, hashToken(token));
          if (!link) throw refused();
          const sessionToken = randomBytes(32).toString('base64url');
          const expiresAt = new Date(Math.min(link.expiresAt.getTime(), Date.now() + guestSessionMaxSeconds * 1000));
          await d.links.insertSession(tx, {
            linkId: link.id,
            tokenHash: hashToken(sessionToken),
            ip: req.ip,
            expiresAt,
          });
          annotateAudit({
            actor: { type: 'guest', id: link.id, name: `guest link “${link.label}”` },
            target: { type: 'guest-link', id: link.id, name: link.label },
          });
          return { sessionToken, maxAgeSeconds: Math.max(1, Math.floor((expiresAt.getTime() - Date.now()) / 1000)) };
        });
      } catch (err) {
        if (err instanceof UnauthenticatedError) {
          await guard(() => limiter.consume(ip)).catch((e) => {
            if (!(e instanceof RateLimitedError)) throw e;
          });
        }
        throw err;
      }
    },

    async authenticate(cookieToken: string | undefined): Promise<GuestActor | null> {
      if (!cookieToken || cookieToken.length > 256) return null;
      const row = await d.links.findSession(hashToken(cookieToken));
      if (!row) return null;
      return {
        kind: 'guest',
        linkId: row.linkId,
        guestSessionId: row.guestSessionId,
        label: row.label,
        permissions: row.permissions as Permission[],
        nodeScope: row.nodeScope ?? null,
        expiresAt: new Date(Math.min(row.linkExpiresAt.getTime(), row.sessionExpiresAt.getTime())),
      };
    },

    stillValid: (guestSessionId: string) => d.links.sessionLive(guestSessionId),

    /** Ends one guest session (the guest leaving); the link stays usable for its other holders. */
    async endSession(guestSessionId: string) {
      await d.db.transaction((tx) => d.links.endSession(tx, guestSessionId));
      await publish('sessions.revoked', { sessionIds: [guestSessionId] });
    },
  };
}
export type GuestLinkService = ReturnType<typeof createGuestLinkService>;
