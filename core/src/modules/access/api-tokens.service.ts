import { createHash, randomBytes } from 'node:crypto';
import { NotFoundError, ValidationError } from '../../errors.js';
import { annotateAudit } from '../../platform/audit-context.js';
import type { Database } from '../../platform/db/client.js';
import type { EventBus } from '../../platform/events/bus.js';
import type { Logger } from '../../platform/logger.js';
import type { ApiTokenRepository } from './api-tokens.repository.js';
import {
  type NodeScope,
  type Permission,
  rolePermissions,
  type TokenActor,
  tokenExcluded,
  type UserActor,
} from './permissions.js';

// Personal API tokens for the CLI and automation: `Authorization: Bearer sbx_…`. Shown
// once, stored as SHA-256, always expiring, revocable, limited to a subset of the owner's
// permissions (and to the owner's current role at each use).

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const prefix = 'sbx_';

export function createApiTokenService(d: {
  db: Database;
  tokens: ApiTokenRepository;
  events: EventBus;
  log: Logger;
  maxDays: number;
}) {
  return {
    async create(
      actor: UserActor,
      input: { name: string; permissions: Permission[]; expiresInDays: number; nodeScope?: NodeScope },
    ) {
      const own = new Set(rolePermissions[actor.role]);
      const refused = input.permissions.filter((p) => !own.has(p) || tokenExcluded.includes(p));
      if (refused.length) throw new ValidationError(`A token cannot be given ${refused.join(', ')}.`);
      if (input.expiresInDays > d.maxDays) throw new ValidationError(`A token lasts at most ${d.maxDays} days.`);
      const token = `${prefix}${randomBytes(32).toString('base64url')}`;
      const row = await d.db.transaction((tx) =>
        d.tokens.insert(tx, {
          userId: actor.userId,
          name: input.name,
          tokenHash: hashToken(token),
          permissions: [...new Set(input.permissions)],
          nodeScope: input.nodeScope ?? null,
          expiresAt: new Date(Date.now() + input.expiresInDays * 86_400_000),
        }),
      );
      annotateAudit({ target: { type: 'api-token', id: row.id, name: input.name } });
      return { id: row.id, token, expiresAt: row.expiresAt.toISOString() };
    },

    async list(actor: UserActor) {
      const now = Date.now();
      return (await d.tokens.listOfUser(actor.userId)).map((t) => ({
        id: t.id,
        name: t.name,
        permissions: t.permissions,
        status: t.revokedAt ? 'revoked' : t.expiresAt.getTime() <= now ? 'expired' : 'active',
        createdAt: t.createdAt.toISOString(),
        expiresAt: t.expiresAt.toISOString(),
        lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      }));
    },

    async revoke(actor: UserActor, tokenId: string) {
      annotateAudit({ target: { type: 'api-token', id: tokenId, name: null } });
      const ok = await d.db.transaction((tx) => d.tokens.revoke(tx, actor.userId, tokenId));
      if (!ok) throw new NotFoundError('No such active token.');
      // Ends streams held with the token and drops it from caches in every process.
      await d.events.publish('sessions.revoked', { sessionIds: [`token:${tokenId}`] }).catch(() => '');
    },

    async authenticate(bearer: string | undefined): Promise<TokenActor | null> {
      if (!bearer?.startsWith(prefix) || bearer.length > 200) return null;
      const row = await d.tokens.findLive(hashToken(bearer));
      if (!row) return null;
      if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000)
        d.tokens.touch(row.tokenId).catch(() => {});
      return {
        kind: 'token',
        tokenId: row.tokenId,
        tokenName: row.tokenName,
        userId: row.userId,
        email: row.email,
        name: row.name,
        role: row.role,
        permissions: row.permissions as Permission[],
        nodeScope: row.nodeScope ?? null,
        ownerNodeScope: row.ownerNodeScope ?? null,
      };
    },

    stillValid: (tokenId: string) => d.tokens.isLive(tokenId),
  };
}
export type ApiTokenService = ReturnType<typeof createApiTokenService>;
