import { and, asc, desc, eq, gt, gte, ilike, like, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Sql } from 'postgres';
import type { Database } from '../../platform/db/client.js';
import { auditCheckpoints, auditEvents } from './audit.tables.js';
import { type AuditColumns, type AuditEntry, type ChainedRow, columnsOf, genesis, link } from './audit-chain.js';
import { createVerifyReader } from './audit-verify.repository.js';

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

/** The last row this process appended: a hint, checked by PostgreSQL under the lock. */
interface ChainHead {
  seq: number;
  hash: string;
  mac: string;
}

const lockSql = `select pg_advisory_xact_lock(${appendLockId})`; // the id as a literal: no parameter
const insertColumns =
  'seq, at, actor_type, actor_id, actor_name, ip, action, target_type, target_id, outcome, canon, hash, mac';
const recordsetTypes =
  'seq bigint, at timestamptz, actor_type text, actor_id text, actor_name text, ip text, action text, target_type text, target_id text, outcome text, canon text, hash text, mac text';
// Inserts only if the newest row is still the one the rows were linked to (null: empty log).
// The same text for any number of rows, so one prepared statement serves record() and
// recordMany(). Run under the lock, after it was granted, so the check sees every append.
// Seq and hash both: a hash alone would also match a row moved to a higher seq.
const headIs = `where (select seq || ' ' || hash from audit_events order by seq desc limit 1) is not distinct from`;
const insertIfHead = `insert into audit_events (${insertColumns})
  select ${insertColumns} from json_to_recordset($1::json) as x(${recordsetTypes}) ${headIs} $2::text`;

type ChainedEntry = AuditColumns & ChainedRow;

function chained(prev: ChainHead, entries: Omit<AuditEntry, 'seq'>[], key: Buffer): ChainedEntry[] {
  return entries.map((e) => {
    const entry: AuditEntry = { ...e, seq: prev.seq + 1 };
    const row = link(prev, entry, key);
    prev = row;
    return { ...columnsOf(entry), ...row };
  });
}

const recordset = (rows: ChainedEntry[]) =>
  JSON.stringify(
    rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      actor_type: r.actorType,
      actor_id: r.actorId,
      actor_name: r.actorName,
      ip: r.ip,
      action: r.action,
      target_type: r.targetType,
      target_id: r.targetId,
      outcome: r.outcome,
      canon: r.canon,
      hash: r.hash,
      mac: r.mac,
    })),
  );

const appended = (rows: ChainedEntry[]) => rows.map(({ seq, hash, mac, canon }) => ({ seq, hash, mac, canon }));

/** The postgres-js client under drizzle, or null on PGlite (one in-process connection, no round trips). */
export function postgresClientOf(db: Database): Sql | null {
  const client = (db as { $client?: Partial<Sql> }).$client;
  return client && typeof client.reserve === 'function' && typeof client.unsafe === 'function' ? (client as Sql) : null;
}

export function createAuditRepository(db: Database) {
  const pg = postgresClientOf(db);
  let head: ChainHead | null = null;
  const stats = { fast: 0, fallback: 0 };

  /** The locked read of the head, then the insert: when the remembered head is unknown or stale. */
  async function appendAfterReadingHead(tx: Database, entries: Omit<AuditEntry, 'seq'>[], key: Buffer) {
    stats.fallback++;
    await tx.execute(sql.raw(lockSql));
    const [last] = await tx
      .select({ seq: auditEvents.seq, hash: auditEvents.hash, mac: auditEvents.mac })
      .from(auditEvents)
      .orderBy(desc(auditEvents.seq))
      .limit(1);
    const rows = chained(last ?? { seq: 0, hash: genesis, mac: genesis }, entries, key);
    await tx.insert(auditEvents).values(rows.map((r) => ({ ...r, at: new Date(r.at) })));
    head = rows.at(-1) ?? head;
    return appended(rows);
  }

  const expectedHead = (h: ChainHead) => (h.seq === 0 ? null : `${h.seq} ${h.hash}`);

  return {
    /** How many appends took the one-round-trip path and how many read the head (for benches). */
    stats,

    /**
     * Appends entries (seq assigned here) to the chain inside the caller's transaction `tx`.
     * On postgres-js the lock and an insert conditional on the remembered head go out
     * together (one round trip instead of six); if another process appended meanwhile, or
     * the transaction that wrote the remembered row rolled back, it inserts nothing and the
     * head is read under the lock that is now held.
     */
    async append(tx: Database, entries: Omit<AuditEntry, 'seq'>[], key: Buffer) {
      if (entries.length === 0) return [];
      if (pg && head) {
        // One snapshot of the hint for both the rows and the check: another append of this
        // process may move `head` while this one waits for the lock.
        const prev = head;
        const rows = chained(prev, entries, key);
        // The lock first, awaited: sent together through drizzle's async layers, the insert
        // could reach PostgreSQL before the lock and check the head unlocked (two appends then
        // passed the check with the same seq). Still one round trip fewer than reading the head.
        await tx.execute(sql.raw(lockSql));
        const inserted = await tx
          .insert(auditEvents)
          .select(
            sql`select ${sql.raw(insertColumns)} from json_to_recordset(${recordset(rows)}::json)
                  as x(${sql.raw(recordsetTypes)}) ${sql.raw(headIs)} ${expectedHead(prev)}::text`,
          )
          .returning({ seq: auditEvents.seq })
          .prepare('audit_append_if_head')
          .execute();
        if (inserted.length === rows.length) {
          stats.fast++;
          head = rows.at(-1) ?? head;
          return appended(rows);
        }
      }
      return appendAfterReadingHead(tx, entries, key);
    },

    /**
     * Appends entries in a transaction of their own. On postgres-js: BEGIN and the lock, the
     * conditional insert (a named prepared statement) and COMMIT pipelined on one reserved
     * connection, one round trip (docs/benchmarks.md, finding D). The insert runs only after
     * the lock in the same simple query succeeded: if that fails, the transaction is aborted
     * and the insert with it.
     */
    async appendAlone(entries: Omit<AuditEntry, 'seq'>[], key: Buffer) {
      if (entries.length === 0) return [];
      if (pg && head) {
        const prev = head;
        const rows = chained(prev, entries, key);
        const r = await pg.reserve();
        let count: number;
        try {
          const [, ins] = await Promise.all([
            r.unsafe(`begin; ${lockSql}`),
            r.unsafe(insertIfHead, [recordset(rows), expectedHead(prev)], { prepare: true }),
            r.unsafe('commit'),
          ]);
          count = ins.count;
        } finally {
          r.release();
        }
        if (count === rows.length) {
          stats.fast++;
          head = rows.at(-1) ?? head;
          return appended(rows);
        }
      }
      return db.transaction((tx) => appendAfterReadingHead(tx, entries, key));
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

    /** Verification reads: arrays from postgres-js, or from drizzle on PGlite. */
    verifyReader: () => createVerifyReader(pg ?? db),

    /** The postgres-js client, for verification workers' own connections (null on PGlite). */
    postgresClient: () => pg,

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
