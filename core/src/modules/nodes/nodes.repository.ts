import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.js';
import { type NodeFacts, type NodeStatus, nodes, type OfferedHostKey, sshKeys } from './nodes.tables.js';

export type NodeRow = typeof nodes.$inferSelect;
export type SshKeyRow = typeof sshKeys.$inferSelect;

export function createNodeRepository(db: Database) {
  return {
    async all(): Promise<NodeRow[]> {
      return db
        .select()
        .from(nodes)
        .orderBy(asc(sql`lower(${nodes.name})`));
    },
    async byId(id: string): Promise<NodeRow | null> {
      const [row] = await db.select().from(nodes).where(eq(nodes.id, id));
      return row ?? null;
    },
    async byName(name: string): Promise<NodeRow | null> {
      const [row] = await db.select().from(nodes).where(sql`lower(${nodes.name}) = lower(${name})`);
      return row ?? null;
    },
    async insert(tx: Database, values: typeof nodes.$inferInsert): Promise<NodeRow> {
      const [row] = await tx.insert(nodes).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async update(tx: Database, id: string, values: Partial<typeof nodes.$inferInsert>): Promise<NodeRow | null> {
      const [row] = await tx
        .update(nodes)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(nodes.id, id))
        .returning();
      return row ?? null;
    },
    async remove(tx: Database, id: string) {
      await tx.delete(nodes).where(eq(nodes.id, id));
    },
    async jumpUsers(id: string): Promise<string[]> {
      const rows = await db.select({ name: nodes.name }).from(nodes).where(eq(nodes.jumpNodeId, id));
      return rows.map((r) => r.name);
    },
    async keyUsers(keyId: string): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(nodes).where(eq(nodes.keyId, keyId));
      return row?.n ?? 0;
    },
    /** Health and contact results: written outside any request, not audited as mutations. */
    async setHealth(
      id: string,
      h: { status: NodeStatus; statusReason: string | null; rttMs?: number | null; lastSeenAt?: Date },
    ) {
      const [row] = await db.update(nodes).set(h).where(eq(nodes.id, id)).returning();
      return row ?? null;
    },
    async setOfferedHostKey(id: string, offered: OfferedHostKey, status?: NodeStatus, reason?: string) {
      const [row] = await db
        .update(nodes)
        .set({ offeredHostKey: offered, ...(status ? { status, statusReason: reason ?? null } : {}) })
        .where(eq(nodes.id, id))
        .returning();
      return row ?? null;
    },
    async setFacts(id: string, facts: NodeFacts) {
      await db.update(nodes).set({ facts, factsAt: new Date() }).where(eq(nodes.id, id));
    },

    async keyById(id: string): Promise<SshKeyRow | null> {
      const [row] = await db.select().from(sshKeys).where(eq(sshKeys.id, id));
      return row ?? null;
    },
    async fleetKey(): Promise<SshKeyRow | null> {
      const [row] = await db.select().from(sshKeys).where(eq(sshKeys.scope, 'fleet')).orderBy(asc(sshKeys.createdAt));
      return row ?? null;
    },
    async insertKey(tx: Database, values: typeof sshKeys.$inferInsert): Promise<SshKeyRow> {
      const [row] = await tx.insert(sshKeys).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async removeKey(tx: Database, id: string) {
      await tx.delete(sshKeys).where(eq(sshKeys.id, id));
    },
  };
}
export type NodeRepository = ReturnType<typeof createNodeRepository>;
