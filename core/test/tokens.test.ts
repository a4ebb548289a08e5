import { createTRPCClient, httpBatchLink, type TRPCClientError } from '@trpc/client';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../src/trpc/router.js';
import {
  adminPassword,
  type Browser,
  outcomeOf,
  setupAdmin,
  signedIn,
  startCore,
  type TestCore,
} from './helpers/core.js';

const codeOf = outcomeOf;

let core: TestCore;
let sql: postgres.Sql;
let admin: Browser;
beforeAll(async () => {
  core = await startCore({ SERVERBOX_SESSION_CACHE_MS: '0' });
  sql = postgres(core.stores.databaseUrl, { max: 2, onnotice: () => {} });
  admin = await setupAdmin(core);
});
afterAll(async () => {
  await sql.end();
  await core.close();
});

const bearerClient = (token: string) =>
  createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `${core.url}/trpc`, headers: { authorization: `Bearer ${token}` } })],
  });

describe('API tokens', () => {
  it('are shown once, stored hashed, and act with exactly their permissions', async () => {
    const t = await admin.client.tokens.create.mutate({
      name: 'ci',
      permissions: ['system:read', 'audit:read'],
      expiresInDays: 30,
    });
    expect(t.token).toMatch(/^sbx_[\w-]{43}$/);
    const [row] = await sql`select token_hash from api_tokens where id = ${t.id}`;
    expect(row?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await admin.client.tokens.list.query())).not.toContain(t.token);

    const api = bearerClient(t.token);
    expect(await api.session.whoami.query()).toMatchObject({
      kind: 'token',
      tokenName: 'ci',
      owner: 'admin@example.com',
    });
    expect((await api.system.health.query()).status).toBeDefined();
    expect((await api.audit.list.query({ limit: 3 })).rows.length).toBeGreaterThan(0);
    expect(await codeOf(api.events.recent.query())).toBe('FORBIDDEN');
    expect(await codeOf(api.audit.verify.mutate())).toBe('FORBIDDEN');
    expect(await codeOf(api.users.list.query())).toBe('FORBIDDEN');
    expect(await codeOf(api.auth.me.query())).toBe('FORBIDDEN');
    expect(await codeOf(api.tokens.create.mutate({ name: 'x', permissions: ['system:read'], expiresInDays: 1 }))).toBe(
      'FORBIDDEN',
    );

    const rows =
      await sql`select action, outcome from audit_events where actor_type = 'token' and actor_id = ${t.id} order by seq`;
    expect(rows.map((r) => `${r.action}:${r.outcome}`)).toEqual([
      'session.whoami:success',
      'system.health:success',
      'audit.list:success',
      'events.recent:denied',
      'audit.verify:denied',
      'users.list:denied',
      'auth.me:denied',
      'tokens.create:denied',
    ]);
    const [used] = await sql`select last_used_at from api_tokens where id = ${t.id}`;
    expect(used?.last_used_at).not.toBeNull();
  });

  it('refuse forged, revoked, expired tokens and disabled owners', async () => {
    expect(await codeOf(bearerClient(`sbx_${'A'.repeat(43)}`).system.health.query())).toBe('UNAUTHORIZED');
    expect(await codeOf(bearerClient('not-a-token').system.health.query())).toBe('UNAUTHORIZED');

    const revoked = await admin.client.tokens.create.mutate({
      name: 'r',
      permissions: ['system:read'],
      expiresInDays: 1,
    });
    await admin.client.tokens.revoke.mutate({ tokenId: revoked.id });
    expect(await codeOf(bearerClient(revoked.token).system.health.query())).toBe('UNAUTHORIZED');
    expect(await codeOf(admin.client.tokens.revoke.mutate({ tokenId: revoked.id }))).toBe('NOT_FOUND');

    const old = await admin.client.tokens.create.mutate({ name: 'o', permissions: ['system:read'], expiresInDays: 1 });
    await sql`update api_tokens set expires_at = now() - interval '1 second' where id = ${old.id}`;
    expect(await codeOf(bearerClient(old.token).system.health.query())).toBe('UNAUTHORIZED');
    expect((await admin.client.tokens.list.query()).find((x) => x.id === old.id)?.status).toBe('expired');
  });

  it('can only be given a subset of the owner’s permissions, never account management', async () => {
    for (const p of ['profile:manage', 'users:manage', 'guests:manage'] as const) {
      expect(await codeOf(admin.client.tokens.create.mutate({ name: 'x', permissions: [p], expiresInDays: 1 }))).toBe(
        'BAD_REQUEST',
      );
    }
    expect(
      await codeOf(admin.client.tokens.create.mutate({ name: 'x', permissions: ['system:read'], expiresInDays: 400 })),
    ).toBe('BAD_REQUEST');
  });

  it('need mutations as JSON even with a bearer token', async () => {
    const t = await admin.client.tokens.create.mutate({
      name: 'form',
      permissions: ['audit:verify'],
      expiresInDays: 1,
    });
    const res = await fetch(`${core.url}/trpc/audit.verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(res.status).toBe(415);
    expect((await bearerClient(t.token).audit.verify.mutate()).ok).toBe(true);
  });
});

describe('re-authentication for sensitive actions', () => {
  it('asks for the password again after 5 minutes, and accepts it', async () => {
    const b = await signedIn(core);
    const me = await b.client.auth.me.query();
    await sql`update sessions set reauthenticated_at = now() - interval '6 minutes' where id = ${me.sessionId}`;
    const err = await b.client.tokens.create
      .mutate({ name: 'late', permissions: ['system:read'], expiresInDays: 1 })
      .catch((e) => e as TRPCClientError<AppRouter>);
    expect((err as TRPCClientError<AppRouter>).data).toMatchObject({
      code: 'FORBIDDEN',
      details: { reauthRequired: true },
    });
    expect(
      await codeOf(b.client.guests.create.mutate({ label: 'x', permissions: ['audit:read'], expiresInHours: 1 })),
    ).toBe('FORBIDDEN');
    expect(await codeOf(b.client.auth.confirm.mutate({ password: 'not it at all' }))).toBe('BAD_REQUEST');
    await b.client.auth.confirm.mutate({ password: adminPassword });
    expect(
      await codeOf(b.client.tokens.create.mutate({ name: 'now', permissions: ['system:read'], expiresInDays: 1 })),
    ).toBe('OK');
  });
});
