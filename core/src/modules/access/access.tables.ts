import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

type NodeScopeValue = { nodeIds: string[]; labels: string[] };

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    email: text().notNull(),
    name: text().notNull(),
    passwordHash: text().notNull(),
    role: text({ enum: ['admin', 'operator', 'viewer'] }).notNull(),
    /** Null: every node. Otherwise only these node ids and nodes with these labels. */
    nodeScope: jsonb().$type<NodeScopeValue>(),
    disabledAt: timestamp({ withTimezone: true }),
    passwordChangedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** TOTP secret, sealed by the vault (AAD = this row). Null until 2FA is enabled. */
    totpSecretEnc: text(),
    /** A secret being enrolled, until its first code is confirmed. */
    totpPendingEnc: text(),
    totpEnabledAt: timestamp({ withTimezone: true }),
    /** The last time step accepted: a code is never accepted twice. */
    totpLastStep: bigint({ mode: 'number' }),
    createdAt: createdAt(),
    updatedAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_lower_idx').on(sql`lower(${t.email})`)],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** SHA-256 of the cookie token, hex. The token itself is never stored. */
    tokenHash: text().notNull(),
    ip: text(),
    userAgent: text(),
    createdAt: createdAt(),
    lastSeenAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    /** When the user last proved who they are again (password), for sensitive actions. */
    reauthenticatedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex('sessions_token_hash_idx').on(t.tokenHash), index('sessions_user_idx').on(t.userId)],
);

export const setupTokens = pgTable(
  'setup_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    tokenHash: text().notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex('setup_tokens_hash_idx').on(t.tokenHash)],
);

/** One-time invitations to create an account with a given role. */
export const invites = pgTable(
  'invites',
  {
    id: uuid().primaryKey().defaultRandom(),
    email: text().notNull(),
    role: text({ enum: ['admin', 'operator', 'viewer'] }).notNull(),
    tokenHash: text().notNull(),
    createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    acceptedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex('invites_token_hash_idx').on(t.tokenHash)],
);

/** Time-limited, read-only links for auditors. Only the SHA-256 of the token is stored. */
export const guestLinks = pgTable(
  'guest_links',
  {
    id: uuid().primaryKey().defaultRandom(),
    label: text().notNull(),
    tokenHash: text().notNull(),
    permissions: text().array().notNull(),
    nodeScope: jsonb().$type<NodeScopeValue>(),
    createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    maxUses: integer(),
    uses: integer().notNull().default(0),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex('guest_links_token_hash_idx').on(t.tokenHash)],
);

/** The short-lived browser session a guest link is exchanged for. */
export const guestSessions = pgTable(
  'guest_sessions',
  {
    id: uuid().primaryKey().defaultRandom(),
    linkId: uuid()
      .notNull()
      .references(() => guestLinks.id, { onDelete: 'cascade' }),
    tokenHash: text().notNull(),
    ip: text(),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('guest_sessions_token_hash_idx').on(t.tokenHash), index('guest_sessions_link_idx').on(t.linkId)],
);

/** Personal API tokens (Authorization: Bearer). Only the SHA-256 of the token is stored. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    tokenHash: text().notNull(),
    permissions: text().array().notNull(),
    nodeScope: jsonb().$type<NodeScopeValue>(),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex('api_tokens_token_hash_idx').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
);

/** One-time recovery codes for 2FA, stored hashed. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text().notNull(),
    createdAt: createdAt(),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);

/** Instance-wide settings (key → JSON value). */
export const settings = pgTable('settings', {
  key: text().primaryKey(),
  value: jsonb().notNull(),
  updatedAt: createdAt(),
});
