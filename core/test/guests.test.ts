import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, browser, outcomeOf, setupAdmin, startCore, type TestCore, waitFor } from './helpers/core.js';

const codeOf = outcomeOf;

let core: TestCore;
let sql: postgres.Sql;
let admin: Browser;
beforeAll(async () => {
  core = await startCore({ SERVERBOX_LOGIN_LIMIT_PER_IP: '6' });
  sql = postgres(core.stores.databaseUrl, { max: 2, onnotice: () => {} });
  admin = await setupAdmin(core);
});
afterAll(async () => {
  await sql.end();
  await core.close();
});

/** Opens a guest link like a browser: follows nothing, keeps the guest cookie. */
async function openLink(path: string) {
  const res = await fetch(`${core.url}${path}`, { redirect: 'manual' });
  const b = browser(core.url);
  const cookie = res.headers.getSetCookie()[0] ?? '';
  const m = /^sb_guest=([^;]+)/.exec(cookie);
  if (m?.[1]) b.jar.set('sb_guest', m[1]);
  return { res, cookie, guest: b };
}

describe('guest links', () => {
  it('are created by admins with read-only scopes and a bounded lifetime', async () => {
    expect(
      await codeOf(
        admin.client.guests.create.mutate({ label: 'x', permissions: ['users:manage' as never], expiresInHours: 1 }),
      ),
    ).toBe('BAD_REQUEST');
    expect(
      await codeOf(
        admin.client.guests.create.mutate({ label: 'x', permissions: ['audit:read'], expiresInHours: 24 * 8 }),
      ),
    ).toBe('BAD_REQUEST');
    expect(await codeOf(admin.client.guests.create.mutate({ label: 'x', permissions: [], expiresInHours: 1 }))).toBe(
      'BAD_REQUEST',
    );
    const link = await admin.client.guests.create.mutate({
      label: 'Q4 SOC2 auditor',
      permissions: ['audit:read'],
      expiresInHours: 24,
    });
    expect(link.path).toMatch(/^\/g\/[\w-]{43}$/);
    const [row] = await sql`select token_hash from guest_links where id = ${link.id}`;
    expect(row?.token_hash).not.toContain(link.token);
    const list = await admin.client.guests.list.query();
    expect(list.find((l) => l.id === link.id)).toMatchObject({ status: 'active', uses: 0, label: 'Q4 SOC2 auditor' });
  });

  it('swap the token for a guest cookie and redirect it out of the address bar', async () => {
    const link = await admin.client.guests.create.mutate({
      label: 'swap',
      permissions: ['audit:read'],
      expiresInHours: 1,
    });
    const { res, cookie } = await openLink(link.path);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(link.token);
  });

  it('let a guest see exactly its scope, and audit every request with the link as actor', async () => {
    const link = await admin.client.guests.create.mutate({
      label: 'scoped',
      permissions: ['audit:read'],
      expiresInHours: 1,
    });
    const { guest } = await openLink(link.path);
    const page = await guest.client.audit.list.query({ limit: 5 });
    expect(page.rows.length).toBeGreaterThan(0);
    const denied = {
      health: await codeOf(guest.client.system.health.query()),
      verify: await codeOf(guest.client.audit.verify.mutate()),
      me: await codeOf(guest.client.auth.me.query()),
      users: await codeOf(guest.client.users.list.query()),
      invite: await codeOf(guest.client.users.invite.mutate({ email: 'x@example.com', role: 'admin' })),
      links: await codeOf(
        guest.client.guests.create.mutate({ label: 'y', permissions: ['audit:read'], expiresInHours: 1 }),
      ),
      logout: await codeOf(guest.client.auth.logoutOthers.mutate()),
    };
    expect(Object.values(denied)).toEqual(Array(7).fill('FORBIDDEN'));
    const rows =
      await sql`select action, outcome from audit_events where actor_type = 'guest' and actor_id = ${link.id} order by seq`;
    expect(rows.map((r) => `${r.action}:${r.outcome}`)).toEqual([
      'guests.open:success',
      'audit.list:success',
      'system.health:denied',
      'audit.verify:denied',
      'auth.me:denied',
      'users.list:denied',
      'users.invite:denied',
      'guests.create:denied',
      'auth.logoutOthers:denied',
    ]);
  });

  it('stream only the topics the link allows', async () => {
    const link = await admin.client.guests.create.mutate({
      label: 'stream',
      permissions: ['audit:read'],
      expiresInHours: 1,
    });
    const { guest } = await openLink(link.path);
    const topics: string[] = [];
    const sub = guest.client.events.onEvent.subscribe(undefined, { onData: (e) => topics.push(e.data.topic) });
    await new Promise((r) => setTimeout(r, 300));
    await admin.client.auth.logoutOthers.mutate();
    await waitFor(() => topics.includes('audit.appended'), 5000, 'the audit tail');
    expect(topics).not.toContain('auth.signedOut');
    sub.unsubscribe();
  });

  it('stop working on revocation: next request refused, open stream ended within 5 s', async () => {
    const link = await admin.client.guests.create.mutate({
      label: 'revoked',
      permissions: ['audit:read'],
      expiresInHours: 1,
    });
    const { guest } = await openLink(link.path);
    let ended = false;
    const sub = guest.client.events.onEvent.subscribe(undefined, {
      onError: () => (ended = true),
      onComplete: () => (ended = true),
    });
    await new Promise((r) => setTimeout(r, 300));
    await admin.client.guests.revoke.mutate({ linkId: link.id });
    await waitFor(() => ended, 5000, 'the guest stream to end');
    sub.unsubscribe();
    expect(await codeOf(guest.client.audit.list.query({}))).toBe('UNAUTHORIZED');
    expect((await openLink(link.path)).res.status).toBe(401);
    expect((await admin.client.guests.list.query()).find((l) => l.id === link.id)?.status).toBe('revoked');
  });

  it('stop working when expired or used up', async () => {
    const once = await admin.client.guests.create.mutate({
      label: 'once',
      permissions: ['audit:read'],
      expiresInHours: 1,
      maxUses: 1,
    });
    expect((await openLink(once.path)).res.status).toBe(303);
    expect((await openLink(once.path)).res.status).toBe(401);
    expect((await admin.client.guests.list.query()).find((l) => l.id === once.id)).toMatchObject({
      status: 'used up',
      uses: 1,
    });

    const old = await admin.client.guests.create.mutate({
      label: 'old',
      permissions: ['audit:read'],
      expiresInHours: 1,
    });
    const { guest } = await openLink(old.path);
    expect(await codeOf(guest.client.audit.list.query({}))).toBe('OK');
    await sql`update guest_links set expires_at = now() - interval '1 second' where id = ${old.id}`;
    expect(await codeOf(guest.client.audit.list.query({}))).toBe('UNAUTHORIZED');
    expect((await openLink(old.path)).res.status).toBe(401);
  });

  it('export audit bundles over plain HTTP when the link grants audit:export, and not otherwise', async () => {
    const exporter = await admin.client.guests.create.mutate({
      label: 'exporter',
      permissions: ['audit:read', 'audit:export'],
      expiresInHours: 1,
    });
    const { guest } = await openLink(exporter.path);
    const res = await guest.fetch(`${core.url}/audit/export`);
    expect(res.status).toBe(200);
    expect((await res.text()).split('\n')[0]).toContain('serverbox-audit-bundle/1');
    const reader = await admin.client.guests.create.mutate({
      label: 'reader',
      permissions: ['audit:read'],
      expiresInHours: 1,
    });
    const other = await openLink(reader.path);
    expect((await other.guest.fetch(`${core.url}/audit/export`)).status).toBe(403);
  });

  it('can be left by the guest: the session ends and the cookie is cleared', async () => {
    const link = await admin.client.guests.create.mutate({
      label: 'leaving',
      permissions: ['audit:read'],
      expiresInHours: 1,
    });
    const { guest } = await openLink(link.path);
    expect(await guest.client.session.whoami.query()).toMatchObject({ kind: 'guest', label: 'leaving' });
    const cookie = guest.jar.get('sb_guest') as string;
    expect(await guest.client.session.endGuest.mutate()).toEqual({ ended: true });
    expect(guest.jar.has('sb_guest')).toBe(false);
    const replay = browser(core.url);
    replay.jar.set('sb_guest', cookie);
    expect(await codeOf(replay.client.audit.list.query({}))).toBe('UNAUTHORIZED');
    // The link itself still works for whoever else holds it.
    expect((await openLink(link.path)).res.status).toBe(303);
  });

  it('refuse forged tokens with 401 and throttle guessing with 429', async () => {
    await core.platform.redis.del('rl:guest-open:127.0.0.1'); // earlier tests' refusals count too
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await openLink(`/g/${'A'.repeat(42)}${i}`)).res.status);
    expect(statuses.slice(0, 6)).toEqual(Array(6).fill(401));
    expect(statuses.slice(6)).toEqual([429, 429]);
    const [row] =
      await sql`select count(*)::int as n from audit_events where action = 'guests.open' and outcome = 'denied'`;
    expect(row?.n).toBeGreaterThanOrEqual(8);
  });
});
