import { bigint, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

// Append-only: a trigger (migration 0001) refuses UPDATE, DELETE and TRUNCATE. Details
// live only inside `canon`, the exact text the chain authenticates; the other columns are
// copies for filtering, checked against `canon` on verification.
export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigint({ mode: 'number' }).primaryKey(),
    at: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    actorType: text().notNull(),
    actorId: text(),
    actorName: text().notNull(),
    ip: text(),
    action: text().notNull(),
    targetType: text(),
    targetId: text(),
    outcome: text({ enum: ['success', 'failure', 'denied'] }).notNull(),
    canon: text().notNull(),
    hash: text().notNull(),
    mac: text().notNull(),
  },
  (t) => [
    index('audit_events_at_idx').on(t.at),
    index('audit_events_actor_idx').on(t.actorId),
    index('audit_events_action_idx').on(t.action),
  ],
);

/** Signed statements "the chain up to seq ends in (hash, mac)"; the signing key is not in the database. */
export const auditCheckpoints = pgTable('audit_checkpoints', {
  seq: bigint({ mode: 'number' }).primaryKey(),
  hash: text().notNull(),
  mac: text().notNull(),
  at: text().notNull(),
  signature: text().notNull(),
  keyFingerprint: text().notNull(),
});
