import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import type { Sql } from 'postgres';
import type { Database } from '../../platform/db/client.js';
import { auditEvents } from './audit.tables.js';
import type { VerifiableRow } from './audit-chain.js';

// Verification reads rows as arrays in VerifiableRow order, `at` as the ISO text the entry
// holds (made by PostgreSQL: no Date per row); `until` null reads to the end of the log.
const atText = `to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const verifyBatchSql = `select seq, canon, hash, mac, ${atText}, actor_type, actor_id, actor_name, ip, action,
  target_type, target_id, outcome from audit_events where seq > $1 and seq <= $2 order by seq limit $3`;
const noEnd = Number.MAX_SAFE_INTEGER;

export type ReadVerifyBatch = (after: number, until: number | null, limit: number) => Promise<VerifiableRow[]>;

export interface VerifyReader {
  batch: ReadVerifyBatch;
  /** The stored hash and MAC of one row (a chunk's starting point), null if it is missing. */
  link(seq: number): Promise<{ hash: string; mac: string } | null>;
}

/**
 * Verification reads over a postgres-js client (also a worker thread's own connection), or
 * through drizzle on PGlite.
 */
export function createVerifyReader(client: Sql | Database): VerifyReader {
  if (!isPostgres(client)) return drizzleReader(client);
  return {
    async batch(after, until, limit) {
      const rows = (await client
        .unsafe(verifyBatchSql, [after, until ?? noEnd, limit], { prepare: true })
        .values()) as unknown as [string | number, ...string[]][];
      for (const r of rows) r[0] = Number(r[0]); // int8 arrives as text
      return rows as unknown as VerifiableRow[];
    },
    async link(seq) {
      const [row] = await client.unsafe('select hash, mac from audit_events where seq = $1', [seq], { prepare: true });
      return row ? { hash: row.hash as string, mac: row.mac as string } : null;
    },
  };
}

const isPostgres = (c: Sql | Database): c is Sql => typeof (c as Partial<Sql>).unsafe === 'function';

function drizzleReader(db: Database): VerifyReader {
  return {
    async batch(after, until, limit) {
      const rows = await db
        .select({
          seq: auditEvents.seq,
          canon: auditEvents.canon,
          hash: auditEvents.hash,
          mac: auditEvents.mac,
          at: sql.raw(atText).mapWith(String),
          actorType: auditEvents.actorType,
          actorId: auditEvents.actorId,
          actorName: auditEvents.actorName,
          ip: auditEvents.ip,
          action: auditEvents.action,
          targetType: auditEvents.targetType,
          targetId: auditEvents.targetId,
          outcome: auditEvents.outcome,
        })
        .from(auditEvents)
        .where(and(gt(auditEvents.seq, after), lte(auditEvents.seq, until ?? noEnd)))
        .orderBy(asc(auditEvents.seq))
        .limit(limit);
      return rows.map(
        (r) =>
          [
            r.seq,
            r.canon,
            r.hash,
            r.mac,
            r.at,
            r.actorType,
            r.actorId,
            r.actorName,
            r.ip,
            r.action,
            r.targetType,
            r.targetId,
            r.outcome,
          ] as const,
      );
    },
    async link(seq) {
      const [row] = await db
        .select({ hash: auditEvents.hash, mac: auditEvents.mac })
        .from(auditEvents)
        .where(eq(auditEvents.seq, seq));
      return row ?? null;
    },
  };
}
