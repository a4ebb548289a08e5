import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.js';
import { sessions, setupTokens, users } from './access.tables.js';

export function createSessionRepository(db: Database) {
  // The lookup behind every authenticated request: prepared once, so PostgreSQL neither
  // re-parses nor re-plans it (about half the per-request cost, see docs/benchmarks.md).
  const byTokenHash = db
    .select({
      sessionId: sessions.id,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      reauthenticatedAt: sessions.reauthenticatedAt,
      userId: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabledAt: users.disabledAt,
      totpEnabledAt: users.totpEnabledAt,
      nodeScope: users.nodeScope,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, sql.placeholder('tokenHash')), isNull(sessions.revokedAt)))
    .prepare('session_by_token_hash');

  return {
    async insert(
      tx: Database,
      s: { userId: string; tokenHash: string; ip: string | null; userAgent: string | null; expiresAt: Date },
    ) {
      // Signing in proves the password: the new session counts as freshly re-authenticated.
      const [row] = await tx
        .insert(sessions)
        .values({ ...s, reauthenticatedAt: sql`now()` })
        .returning({ id: sessions.id, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt });
      if (!row) throw new Error('insert returned no row');
      return row;
    },

    /** The live session behind a token hash, with its user. Expiry is judged by the caller. */
    async findByTokenHash(tokenHash: string) {
      const [row] = await byTokenHash.execute({ tokenHash });
      return row ?? null;
    },

    async isActive(sessionId: string, idleSince: Date): Promise<boolean> {
      const [row] = await db
        .select({ id: sessions.id })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(
          and(
            eq(sessions.id, sessionId),
            isNull(sessions.revokedAt),
            isNull(users.disabledAt),
            gt(sessions.expiresAt, sql`now()`),
            gt(sessions.lastSeenAt, idleSince),
          ),
        );
      return Boolean(row);
    },

    async markReauthenticated(sessionId: string) {
      await db.update(sessions).set({ reauthenticatedAt: sql`now()` }).where(eq(sessions.id, sessionId));
    },

    async touch(sessionId: string) {
      await db.update(sessions).set({ lastSeenAt: sql`now()` }).where(eq(sessions.id, sessionId));
    },

    async revoke(tx: Database, sessionId: string): Promise<string[]> {
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return rows.map((r) => r.id);
    },

    async revokeOfUser(tx: Database, userId: string, sessionId: string): Promise<string[]> {
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return rows.map((r) => r.id);
    },

    async revokeAllOfUser(tx: Database, userId: string, exceptSessionId?: string): Promise<string[]> {
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: sql`now()` })
        .where(
          and(
            eq(sessions.userId, userId),
            isNull(sessions.revokedAt),
            exceptSessionId ? ne(sessions.id, exceptSessionId) : undefined,
          ),
        )
        .returning({ id: sessions.id });
      return rows.map((r) => r.id);
    },

    async listOfUser(userId: string) {
      return db
        .select({
          id: sessions.id,
          ip: sessions.ip,
          userAgent: sessions.userAgent,
          createdAt: sessions.createdAt,
          lastSeenAt: sessions.lastSeenAt,
          expiresAt: sessions.expiresAt,
        })
        .from(sessions)
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
        .orderBy(sql`${sessions.lastSeenAt} desc`)
        .limit(100);
    },

    // Setup tokens: one-time links that let the first admin be created.
    async replaceSetupToken(tokenHash: string, expiresAt: Date) {
      await db.transaction(async (tx) => {
        await tx.update(setupTokens).set({ usedAt: sql`now()` }).where(isNull(setupTokens.usedAt));
        await tx.insert(setupTokens).values({ tokenHash, expiresAt });
      });
    },

    /** Marks the token used if it is valid; false when unknown, used or expired. */
    async consumeSetupToken(tx: Database, tokenHash: string): Promise<boolean> {
      const rows = await tx
        .update(setupTokens)
        .set({ usedAt: sql`now()` })
        .where(
          and(eq(setupTokens.tokenHash, tokenHash), isNull(setupTokens.usedAt), gt(setupTokens.expiresAt, sql`now()`)),
        )
        .returning({ id: setupTokens.id });
      return rows.length === 1;
    },
  };
}
export type SessionRepository = ReturnType<typeof createSessionRepository>;
