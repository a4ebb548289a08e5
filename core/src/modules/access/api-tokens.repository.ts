import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.js';
import { apiTokens, users } from './access.tables.js';
import type { NodeScope, Permission } from './permissions.js';

export function createApiTokenRepository(db: Database) {
  return {
    async insert(
      tx: Database,
      t: {
        userId: string;
        name: string;
        tokenHash: string;
        permissions: Permission[];
        nodeScope: NodeScope;
        expiresAt: Date;
      },
    ) {
      const [row] = await tx
        .insert(apiTokens)
        .values(t)
        .returning({ id: apiTokens.id, expiresAt: apiTokens.expiresAt });
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async listOfUser(userId: string) {
      return db
        .select({
          id: apiTokens.id,
          name: apiTokens.name,
          permissions: apiTokens.permissions,
          createdAt: apiTokens.createdAt,
          expiresAt: apiTokens.expiresAt,
          lastUsedAt: apiTokens.lastUsedAt,
          revokedAt: apiTokens.revokedAt,
        })
        .from(apiTokens)
        .where(eq(apiTokens.userId, userId))
        .orderBy(desc(apiTokens.createdAt))
        .limit(100);
    },
    /** A live token with its owner; null when unknown, revoked, expired or the owner is disabled. */
    async findLive(tokenHash: string) {
      const [row] = await db
        .select({
          tokenId: apiTokens.id,
          tokenName: apiTokens.name,
          permissions: apiTokens.permissions,
          nodeScope: apiTokens.nodeScope,
          ownerNodeScope: users.nodeScope,
          lastUsedAt: apiTokens.lastUsedAt,
          userId: users.id,
          email: users.email,
          name: users.name,
          role: users.role,
        })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(
          and(
            eq(apiTokens.tokenHash, tokenHash),
            isNull(apiTokens.revokedAt),
            gt(apiTokens.expiresAt, sql`now()`),
            isNull(users.disabledAt),
          ),
        );
      return row ?? null;
    },
    async isLive(tokenId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: apiTokens.id })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(
          and(
            eq(apiTokens.id, tokenId),
            isNull(apiTokens.revokedAt),
            gt(apiTokens.expiresAt, sql`now()`),
            isNull(users.disabledAt),
          ),
        );
      return Boolean(row);
    },
    async touch(tokenId: string) {
      await db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, tokenId));
    },
    async revoke(tx: Database, userId: string, tokenId: string): Promise<boolean> {
      const rows = await tx
        .update(apiTokens)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      return rows.length === 1;
    },
  };
}
export type ApiTokenRepository = ReturnType<typeof createApiTokenRepository>;
