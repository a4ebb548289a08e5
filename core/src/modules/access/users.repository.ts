import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.js';
import { sessions, users } from './access.tables.js';
import type { Role } from './permissions.js';

// Explicit column lists: the password hash leaves this file only through findCredentials.
const publicColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  nodeScope: users.nodeScope,
  disabledAt: users.disabledAt,
  createdAt: users.createdAt,
};

export function createUserRepository(db: Database) {
  return {
    // Methods that may run inside a transaction take the executor: PGlite has one
    // connection, so a query on `db` while a transaction holds it would wait forever.
    async count(tx: Database = db): Promise<number> {
      const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(users);
      return row?.n ?? 0;
    },
    async byId(id: string) {
      const [row] = await db.select(publicColumns).from(users).where(eq(users.id, id));
      return row ?? null;
    },
    async findCredentials(email: string, tx: Database = db) {
      const [row] = await tx
        .select({ ...publicColumns, passwordHash: users.passwordHash, totpEnabledAt: users.totpEnabledAt })
        .from(users)
        .where(sql`lower(${users.email}) = lower(${email})`);
      return row ?? null;
    },
    async passwordHash(id: string): Promise<string | null> {
      const [row] = await db.select({ h: users.passwordHash }).from(users).where(eq(users.id, id));
      return row?.h ?? null;
    },
    async insert(tx: Database, u: { email: string; name: string; passwordHash: string; role: Role }) {
      const [row] = await tx.insert(users).values(u).returning(publicColumns);
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    /** Everyone, with when they were last seen and how many sessions they have open. */
    async list() {
      return db
        .select({
          ...publicColumns,
          lastSeenAt: sql<Date | null>`max(${sessions.lastSeenAt})`.mapWith((v) => (v ? new Date(v) : null)),
          activeSessions:
            sql<number>`count(${sessions.id}) filter (where ${sessions.revokedAt} is null and ${sessions.expiresAt} > now())`.mapWith(
              Number,
            ),
        })
        .from(users)
        .leftJoin(sessions, eq(sessions.userId, users.id))
        .groupBy(users.id)
        .orderBy(users.email)
        .limit(1000);
    },
    /** Locks the enabled admins' rows and returns their ids (for the last-admin rule). */
    async lockEnabledAdmins(tx: Database): Promise<string[]> {
      const rows = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.role, 'admin'), isNull(users.disabledAt)))
        .for('update');
      return rows.map((r) => r.id);
    },
    async setRole(tx: Database, id: string, role: Role) {
      await tx.update(users).set({ role, updatedAt: sql`now()` }).where(eq(users.id, id));
    },
    async setNodeScope(tx: Database, id: string, nodeScope: { nodeIds: string[]; labels: string[] } | null) {
      await tx.update(users).set({ nodeScope, updatedAt: sql`now()` }).where(eq(users.id, id));
    },
    async setDisabled(tx: Database, id: string, disabled: boolean) {
      await tx
        .update(users)
        .set({ disabledAt: disabled ? sql`now()` : null, updatedAt: sql`now()` })
        .where(eq(users.id, id));
    },
    async setPassword(tx: Database, id: string, passwordHash: string) {
      await tx
        .update(users)
        .set({ passwordHash, passwordChangedAt: sql`now()`, updatedAt: sql`now()` })
        .where(eq(users.id, id));
    },
  };
}
export type UserRepository = ReturnType<typeof createUserRepository>;
