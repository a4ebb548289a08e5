import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.js';
import { type CommandParam, fleetRunNodes, fleetRuns, nodeCommands, type RunSummary } from './nodes.tables.js';

export type CommandRow = typeof nodeCommands.$inferSelect;
export type RunRow = typeof fleetRuns.$inferSelect;
export type RunNodeRow = typeof fleetRunNodes.$inferSelect;

export function createRunRepository(db: Database) {
  return {
    commands: () =>
      db
        .select()
        .from(nodeCommands)
        .orderBy(asc(sql`lower(${nodeCommands.name})`)),
    async command(id: string): Promise<CommandRow | null> {
      const [row] = await db.select().from(nodeCommands).where(eq(nodeCommands.id, id));
      return row ?? null;
    },
    async commandByName(name: string): Promise<CommandRow | null> {
      const [row] = await db.select().from(nodeCommands).where(sql`lower(${nodeCommands.name}) = lower(${name})`);
      return row ?? null;
    },
    async insertCommand(
      tx: Database,
      v: {
        name: string;
        description: string;
        template: string;
        params: CommandParam[];
        root: boolean;
        timeoutSeconds: number;
        createdBy: string;
      },
    ) {
      const [row] = await tx.insert(nodeCommands).values(v).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async updateCommand(tx: Database, id: string, v: Partial<typeof nodeCommands.$inferInsert>) {
      const [row] = await tx
        .update(nodeCommands)
        .set({ ...v, updatedAt: new Date() })
        .where(eq(nodeCommands.id, id))
        .returning();
      return row ?? null;
    },
    async removeCommand(tx: Database, id: string) {
      const rows = await tx.delete(nodeCommands).where(eq(nodeCommands.id, id)).returning({ id: nodeCommands.id });
      return rows.length > 0;
    },

    async insertRun(tx: Database, run: typeof fleetRuns.$inferInsert, nodes: { nodeId: string; nodeName: string }[]) {
      const [row] = await tx.insert(fleetRuns).values(run).returning();
      if (!row) throw new Error('insert returned no row');
      await tx.insert(fleetRunNodes).values(nodes.map((n) => ({ runId: row.id, ...n, status: 'queued' as const })));
      return row;
    },
    async run(id: string): Promise<RunRow | null> {
      const [row] = await db.select().from(fleetRuns).where(eq(fleetRuns.id, id));
      return row ?? null;
    },
    async runNodes(runId: string): Promise<RunNodeRow[]> {
      return db.select().from(fleetRunNodes).where(eq(fleetRunNodes.runId, runId)).orderBy(asc(fleetRunNodes.nodeName));
    },
    async runs(limit: number, offset: number) {
      const [total] = await db.select({ n: count() }).from(fleetRuns);
      const items = await db.select().from(fleetRuns).orderBy(desc(fleetRuns.startedAt)).limit(limit).offset(offset);
      return { total: total?.n ?? 0, items };
    },
    async updateRunNode(runId: string, nodeName: string, v: Partial<typeof fleetRunNodes.$inferInsert>) {
      await db
        .update(fleetRunNodes)
        .set(v)
        .where(and(eq(fleetRunNodes.runId, runId), eq(fleetRunNodes.nodeName, nodeName)));
    },
    /** Marks nodes still queued or running with a final status (cancel, crash recovery). */
    async endOpenRunNodes(runId: string, status: 'cancelled' | 'failed', error: string) {
      await db
        .update(fleetRunNodes)
        .set({ status, error, finishedAt: new Date() })
        .where(and(eq(fleetRunNodes.runId, runId), inArray(fleetRunNodes.status, ['queued', 'running'])));
    },
    async updateRun(id: string, v: { status?: RunRow['status']; summary?: RunSummary; finishedAt?: Date | null }) {
      const [row] = await db.update(fleetRuns).set(v).where(eq(fleetRuns.id, id)).returning();
      return row ?? null;
    },
  };
}
export type RunRepository = ReturnType<typeof createRunRepository>;
