import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../access/access.tables.js';

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

/** SSH key pairs the core logs in with: one per node or one for the fleet, generated or uploaded. */
export const sshKeys = pgTable('ssh_keys', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  scope: text({ enum: ['node', 'fleet'] }).notNull(),
  source: text({ enum: ['generated', 'uploaded'] }).notNull(),
  /** OpenSSH public line; public, shown so it can be installed. */
  publicKey: text().notNull(),
  /** Sealed by the vault with AAD "ssh_keys:<id>:private". Never leaves the core. */
  privateKeyEnc: text().notNull(),
  passphraseEnc: text(),
  createdAt: createdAt(),
});

export type NodeStatus = 'pending' | 'online' | 'degraded' | 'offline' | 'quarantined';

export interface OfferedHostKey {
  fingerprint: string;
  keyType: string;
  publicKey: string;
  seenAt: string;
  reason: 'unknown' | 'mismatch';
}

export interface NodeFacts {
  os: string | null;
  osVersion: string | null;
  kernel: string | null;
  arch: string | null;
  cpus: number | null;
  memoryBytes: number | null;
  diskBytes: number | null;
  diskFreeBytes: number | null;
  uptimeSeconds: number | null;
  hostname: string | null;
  docker: string | null;
  compose: { version: string; flavour: 'plugin' | 'standalone' } | null;
  tmux: string | null;
  git: string | null;
  sudo: 'root' | 'passwordless' | 'missing';
}

export const nodes = pgTable(
  'nodes',
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    host: text().notNull(),
    port: integer().notNull().default(22),
    username: text().notNull().default('root'),
    labels: jsonb().$type<string[]>().notNull().default([]),
    jumpNodeId: uuid().references((): AnyPgColumn => nodes.id, { onDelete: 'restrict' }),
    notes: text().notNull().default(''),
    keyId: uuid()
      .notNull()
      .references(() => sshKeys.id, { onDelete: 'restrict' }),
    /** The pinned host key (SHA256:…); null until an admin confirms one. */
    hostKeyFingerprint: text(),
    /** A key the node presented that is not pinned (first contact or a mismatch). */
    offeredHostKey: jsonb().$type<OfferedHostKey>(),
    status: text({ enum: ['pending', 'online', 'degraded', 'offline', 'quarantined'] })
      .notNull()
      .default('pending'),
    statusReason: text(),
    /** Channels the pool opens at once on one connection; keep it below sshd's MaxSessions. */
    maxSessions: integer().notNull().default(8),
    facts: jsonb().$type<NodeFacts>(),
    factsAt: timestamp({ withTimezone: true }),
    lastSeenAt: timestamp({ withTimezone: true }),
    rttMs: real(),
    createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: createdAt(),
  },
  (t) => [uniqueIndex('nodes_name_lower_idx').on(sql`lower(${t.name})`), index('nodes_status_idx').on(t.status)],
);

export interface CommandParam {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'enum';
  pattern?: string;
  values?: string[];
  required?: boolean;
  default?: string;
  description?: string;
}

/** Named commands admins define for fleet runs: a template with typed parameters. */
export const nodeCommands = pgTable(
  'node_commands',
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    description: text().notNull().default(''),
    template: text().notNull(),
    params: jsonb().$type<CommandParam[]>().notNull().default([]),
    root: boolean().notNull().default(false),
    timeoutSeconds: integer().notNull().default(300),
    createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: createdAt(),
  },
  (t) => [uniqueIndex('node_commands_name_lower_idx').on(sql`lower(${t.name})`)],
);

export interface RunSummary {
  total: number;
  succeeded: number;
  failed: number;
  running: number;
}

/** One run of a command (named or ad-hoc) across nodes. */
export const fleetRuns = pgTable(
  'fleet_runs',
  {
    id: uuid().primaryKey().defaultRandom(),
    commandId: uuid().references(() => nodeCommands.id, { onDelete: 'set null' }),
    /** What ran: the command's name (or "ad-hoc") and the parameter values. */
    title: text().notNull(),
    params: jsonb().$type<Record<string, string>>().notNull().default({}),
    adHoc: boolean().notNull().default(false),
    status: text({ enum: ['running', 'succeeded', 'failed', 'cancelled'] }).notNull(),
    summary: jsonb().$type<RunSummary>().notNull(),
    startedBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    startedByName: text().notNull(),
    startedAt: createdAt(),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('fleet_runs_started_idx').on(t.startedAt)],
);

export const fleetRunNodes = pgTable(
  'fleet_run_nodes',
  {
    runId: uuid()
      .notNull()
      .references(() => fleetRuns.id, { onDelete: 'cascade' }),
    nodeId: uuid().references(() => nodes.id, { onDelete: 'set null' }),
    nodeName: text().notNull(),
    status: text({ enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] }).notNull(),
    exitCode: integer(),
    /** Output kept (capped); the live stream carried all of it. */
    output: text().notNull().default(''),
    truncated: boolean().notNull().default(false),
    error: text(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex('fleet_run_nodes_pk').on(t.runId, t.nodeName)],
);
