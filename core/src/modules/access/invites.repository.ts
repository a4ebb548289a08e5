import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.js';
import { invites, users } from './access.tables.js';
import type { Role } from './permissions.js';

export function createInviteRepository(db: Database) {
  return {
    async insert(
      tx: Database,
      i: { email: string; role: Role; tokenHash: string; createdBy: string; expiresAt: Date },
    ) {
      // A new invitation for the same email replaces any pending one.
      await tx
        .update(invites)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(invites.email, i.email), isNull(invites.acceptedAt), isNull(invites.revokedAt)));
      const [row] = await tx.insert(invites).values(i).returning({ id: invites.id, expiresAt: invites.expiresAt });
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async pending() {
      return db
        .select({
          id: invites.id,
          email: invites.email,
          role: invites.role,
          createdAt: invites.createdAt,
          expiresAt: invites.expiresAt,
          createdBy: users.name,
        })
        .from(invites)
        .leftJoin(users, eq(users.id, invites.createdBy))
        .where(and(isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, sql`now()`)))
        .orderBy(desc(invites.createdAt))
        .limit(200);
    },
    /** Marks a valid invitation accepted and returns it; null when unknown, used, revoked or expired. */
    async consume(tx: Database, tokenHash: string) {
      const [row] = await tx
        .update(invites)
        .set({ acceptedAt: sql`now()` })
        .where(
          and(
            eq(invites.tokenHash, tokenHash),
            isNull(invites.acceptedAt),
            isNull(invites.revokedAt),
            gt(invites.expiresAt, sql`now()`),
          ),
        )
        .returning({ id: invites.id, email: invites.email, role: invites.role });
      return row ?? null;
    },
    async revoke(tx: Database, id: string): Promise<boolean> {
      const rows = await tx
        .update(invites)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(invites.id, id), isNull(invites.acceptedAt), isNull(invites.revokedAt)))
        .returning({ id: invites.id });
      return rows.length === 1;
    },
  };
}
export type InviteRepository = ReturnType<typeof createInviteRepository>;
