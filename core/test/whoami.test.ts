import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, browser, setupAdmin, startCore, type TestCore } from './helpers/core.js';

// session.whoami answers who a browser is without failing: the dashboard's shell tells a
// user, a guest and nobody apart with it (auth.me refuses guests).

let core: TestCore;
let sql: postgres.Sql;
let admin: Browser;
beforeAll(async () => {
  core = await startCore();
  sql = postgres(core.stores.databaseUrl, { max: 2, onnotice: () => {} });
  admin = await setupAdmin(core);
});
afterAll(async () => {
  await sql.end();
  await core.close();
});

/** Opens a guest link like a browser would, keeping its guest cookie in a fresh jar. */
async function openLink(path: string, b: Browser = browser(core.url)) {
  const res = await fetch(`${core.url}${path}`, { redirect: 'manual' });
  const m = /^sb_guest=([^;]+)/.exec(res.headers.getSetCookie()[0] ?? '');
  if (m?.[1]) b.jar.set('sb_guest', m[1]);
  return b;
}

describe('session.whoami', () => {
  it('says anonymous to a browser without cookies', async () => {
    expect(await browser(core.url).client.session.whoami.query()).toEqual({ kind: 'anonymous', guestEnded: false });
  });

  it('returns the signed-in user in the shape of auth.me', async () => {
    const who = await admin.client.session.whoami.query();
    const me = await admin.client.auth.me.query();
    expect(who).toEqual({ kind: 'user', ...me });
    expect(who.kind === 'user' && who.permissions).toContain('users:manage');
  });

  it('describes a guest: label, what the link grants and when it ends', async () => {
    const link = await admin.client.guests.create.mutate({
      label: 'SOC2 auditor',
      permissions: ['audit:read', 'audit:verify'],
      expiresInHours: 2,
    });
    const guest = await openLink(link.path);
    const who = await guest.client.session.whoami.query();
    expect(who).toMatchObject({ kind: 'guest', label: 'SOC2 auditor', expiresAt: link.expiresAt });
    const permissions = who.kind === 'guest' ? who.permissions : [];
    expect([...permissions].sort()).toEqual(['audit:read', 'audit:verify', 'events:read']);
    // Like every request of a guest, the question is audited with the link as actor.
    const rows =
      await sql`select outcome from audit_events where action = 'session.whoami' and actor_type = 'guest' and actor_id = ${link.id}`;
    expect(rows.map((r) => r.outcome)).toEqual(['success']);
  });

  it('tells a guest whose link was revoked that its access ended, instead of failing', async () => {
    const link = await admin.client.guests.create.mutate({
      label: 'soon gone',
      permissions: ['audit:read'],
      expiresInHours: 1,
    });
    const guest = await openLink(link.path);
    expect((await guest.client.session.whoami.query()).kind).toBe('guest');
    await admin.client.guests.revoke.mutate({ linkId: link.id });
    expect(await guest.client.session.whoami.query()).toEqual({ kind: 'anonymous', guestEnded: true });
  });

  it('prefers a signed-in user over a guest cookie left in the same browser', async () => {
    const link = await admin.client.guests.create.mutate({
      label: 'shared',
      permissions: ['audit:read'],
      expiresInHours: 1,
    });
    await openLink(link.path, admin);
    expect(admin.jar.has('sb_guest')).toBe(true);
    expect((await admin.client.session.whoami.query()).kind).toBe('user');
    admin.jar.delete('sb_guest');
  });
});
