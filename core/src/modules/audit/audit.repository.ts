import { and, asc, desc, eq, gt, gte, ilike, like, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.js';
import { auditCheckpoints, auditEvents } from './audit.tables.js';
import { type AuditEntry, columnsOf, genesis, link } from './audit-chain.js';

// One lock serialises appends across every core process, which keeps seq gapless and the
// chain linear; it is held only for the append's own transaction.
const appendLockId = 0x5e7b0a;

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  outcome?: 'success' | 'failure' | 'denied';
  from?: Date;
  to?: Date;
  cursor?: number;
  limit: number;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createAuditRepository(db: Database) {
  return {
    /** Appends entries (seq assigned here) to the chain inside `tx`. */
    async append(tx: Database, entries: Omit<AuditEntry, 'seq'>[], key: Buffer) {
      await tx.execute(sql`select pg_advisory_xact_lock(${appendLockId})`);
      const [head] = await tx
        .select({ seq: auditEvents.seq, hash: auditEvents.hash, mac: auditEvents.mac })
        .from(auditEvents)
        .orderBy(desc(auditEvents.seq))
        .limit(1);
      let prev = head ?? { seq: 0, hash: genesis, mac: genesis };
      const rows = entries.map((e) => {
        const entry: AuditEntry = { ...e, seq: prev.seq + 1 };
        const chained = link(prev, entry, key);
        prev = chained;
        const c = columnsOf(entry);
        return { ...c, at: new Date(c.at), ...chained };
      });
      if (rows.length) await tx.insert(auditEvents).values(rows);
      return rows.map((r) => ({ seq: r.seq, hash: r.hash, mac: r.mac, canon: r.canon }));
    },

    async head(): Promise<{ seq: number; hash: string; mac: string } | null> {
      const [row] = await db
        .select({ seq: auditEvents.seq, hash: auditEvents.hash, mac: auditEvents.mac })
        .from(auditEvents)
        .orderBy(desc(auditEvents.seq))
        .limit(1);
      return row ?? null;
    },

    /** Newest first, keyset-paginated by seq. */
    async page(f: AuditFilter) {
      const conds: (SQL | undefined)[] = [];
      if (f.actor) {
        const p = `%${likeEscape(f.actor)}%`;
        conds.push(or(ilike(auditEvents.actorName, p), ilike(auditEvents.actorId, p)));
      }
      if (f.action) conds.push(like(auditEvents.action, `${likeEscape(f.action)}%`));
      if (f.target) {
        const p = `%${likeEscape(f.target)}%`;
        conds.push(or(ilike(auditEvents.targetType, p), ilike(auditEvents.targetId, p), ilike(auditEvents.canon, p)));
      }
      if (f.outcome) conds.push(eq(auditEvents.outcome, f.outcome));
      if (f.from) conds.push(gte(auditEvents.at, f.from));
      if (f.to) conds.push(lte(auditEvents.at, f.to));
      if (f.cursor !== undefined) conds.push(lt(auditEvents.seq, f.cursor));
      return db
        .select({ seq: auditEvents.seq, canon: auditEvents.canon })
        .from(auditEvents)
        .where(and(...conds))
        .orderBy(desc(auditEvents.seq))
        .limit(f.limit);
    },

    async bySeq(seq: number) {
      const [row] = await db.select().from(auditEvents).where(eq(auditEvents.seq, seq));
      return row ?? null;
    },

    /** Rows after `afterSeq` in order, for verification and export. */
    async batch(afterSeq: number, limit: number, untilSeq?: number) {
      return db
        .select()
        .from(auditEvents)
        .where(and(gt(auditEvents.seq, afterSeq), untilSeq !== undefined ? lte(auditEvents.seq, untilSeq) : undefined))
        .orderBy(asc(auditEvents.seq))
        .limit(limit);
    },

    async seqRange(from?: Date, to?: Date): Promise<{ first: number | null; last: number | null }> {
      const [row] = await db
        .select({
          first: sql<string | null>`min(${auditEvents.seq})`,
          last: sql<string | null>`max(${auditEvents.seq})`,
        })
        .from(auditEvents)
        .where(and(from ? gte(auditEvents.at, from) : undefined, to ? lte(auditEvents.at, to) : undefined));
      return {
        first: row?.first == null ? null : Number(row.first),
        last: row?.last == null ? null : Number(row.last),
      };
    },

    async insertCheckpoint(c: typeof auditCheckpoints.$inferInsert) {
      await db.insert(auditCheckpoints).values(c).onConflictDoNothing();
    },

    async checkpoints(limit?: number) {
      const q = db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.seq));
      return limit ? q.limit(limit) : q;
    },

    async lastCheckpoint() {
      const [row] = await db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.seq)).limit(1);
      return row ?? null;
    },
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
