import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.js';
import { guestLinks, guestSessions, users } from './access.tables.js';
import type { NodeScope, Permission } from './permissions.js';

export function createGuestLinkRepository(db: Database) {
  return {
    async insert(
      tx: Database,
      l: {
        label: string;
        tokenHash: string;
        permissions: Permission[];
        nodeScope: NodeScope;
        createdBy: string;
        expiresAt: Date;
        maxUses: number | null;
      },
    ) {
      const [row] = await tx
        .insert(guestLinks)
        .values(l)
        .returning({ id: guestLinks.id, expiresAt: guestLinks.expiresAt });
      if (!row) throw new Error('insert returned no row');
      return row;
    },

    async list() {
      return db
        .select({
          id: guestLinks.id,
          label: guestLinks.label,
          permissions: guestLinks.permissions,
          nodeScope: guestLinks.nodeScope,
          createdAt: guestLinks.createdAt,
          expiresAt: guestLinks.expiresAt,
          maxUses: guestLinks.maxUses,
          uses: guestLinks.uses,
          lastUsedAt: guestLinks.lastUsedAt,
          revokedAt: guestLinks.revokedAt,
          createdBy: users.name,
        })
        .from(guestLinks)
        .leftJoin(users, eq(users.id, guestLinks.createdBy))
        .orderBy(desc(guestLinks.createdAt))
        .limit(200);
    },

    /** Counts one use of a live link and returns it; null when unknown, revoked, expired or used up. */
    async use(tx: Database, tokenHash: string) {
      const [row] = await tx
        .update(guestLinks)
        .set({ uses: sql`${guestLinks.uses} + 1`, lastUsedAt: sql`now()` })
        .where(
          and(
            eq(guestLinks.tokenHash, tokenHash),
            isNull(guestLinks.revokedAt),
            gt(guestLinks.expiresAt, sql`now()`),
            sql`(${guestLinks.maxUses} is null or ${guestLinks.uses} < ${guestLinks.maxUses})`,
          ),
        )
        .returning({ id: guestLinks.id, label: guestLinks.label, expiresAt: guestLinks.expiresAt });
      return row ?? null;
    },

    async insertSession(tx: Database, s: { linkId: string; tokenHash: string; ip: string | null; expiresAt: Date }) {
      const [row] = await tx.insert(guestSessions).values(s).returning({ id: guestSessions.id });
      if (!row) throw new Error('insert returned no row');
      return row;
    },

    /** The guest session behind a cookie, only while both it and its link are live. */
    async findSession(tokenHash: string) {
      const [row] = await db
        .select({
          guestSessionId: guestSessions.id,
          sessionExpiresAt: guestSessions.expiresAt,
          linkId: guestLinks.id,
          label: guestLinks.label,
          permissions: guestLinks.permissions,
          nodeScope: guestLinks.nodeScope,
          linkExpiresAt: guestLinks.expiresAt,
        })
        .from(guestSessions)
        .innerJoin(guestLinks, eq(guestLinks.id, guestSessions.linkId))
        .where(
          and(
            eq(guestSessions.tokenHash, tokenHash),
            isNull(guestLinks.revokedAt),
            gt(guestLinks.expiresAt, sql`now()`),
            gt(guestSessions.expiresAt, sql`now()`),
          ),
        );
      return row ?? null;
    },

    async sessionLive(guestSessionId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: guestSessions.id })
        .from(guestSessions)
        .innerJoin(guestLinks, eq(guestLinks.id, guestSessions.linkId))
        .where(
          and(
            eq(guestSessions.id, guestSessionId),
            isNull(guestLinks.revokedAt),
            gt(guestLinks.expiresAt, sql`now()`),
            gt(guestSessions.expiresAt, sql`now()`),
          ),
        );
      return Boolean(row);
    },

    async endSession(tx: Database, guestSessionId: string) {
      await tx.update(guestSessions).set({ expiresAt: sql`now()` }).where(eq(guestSessions.id, guestSessionId));
    },

    /** Revokes a link; returns its guest sessions' ids (to end their streams), or null if unknown. */
    async revoke(tx: Database, id: string): Promise<string[] | null> {
      const rows = await tx
        .update(guestLinks)
        .set({ revokedAt: sql`coalesce(${guestLinks.revokedAt}, now())` })
        .where(eq(guestLinks.id, id))
        .returning({ id: guestLinks.id });
      if (rows.length === 0) return null;
      const sessions = await tx
        .select({ id: guestSessions.id })
        .from(guestSessions)
        .where(eq(guestSessions.linkId, id));
      return sessions.map((s) => s.id);
    },
  };
}
export type GuestLinkRepository = ReturnType<typeof createGuestLinkRepository>;
