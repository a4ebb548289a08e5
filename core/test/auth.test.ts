import { TRPCClientError } from '@trpc/client';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPassword, browser, setupAdmin, signedIn, startCore, type TestCore } from './helpers/core.js';

const codeOf = (err: unknown) => (err instanceof TRPCClientError ? err.data?.code : String(err));
async function rejection(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return err as TRPCClientError<never>;
  }
  throw new Error('expected the call to fail');
}

let core: TestCore;
let sql: postgres.Sql;
beforeAll(async () => {
  // No session cache here: these tests edit session rows behind the core's back.
  core = await startCore({
    SERVERBOX_LOGIN_LIMIT_PER_ACCOUNT: '4',
    SERVERBOX_LOGIN_LIMIT_PER_IP: '50',
    SERVERBOX_SESSION_CACHE_MS: '0',
  });
  sql = postgres(core.stores.databaseUrl, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await sql.end();
  await core.close();
});

describe('first admin setup', () => {
  it('refuses a forged token and writes nothing', async () => {
    const b = browser(core.url);
    const err = await rejection(
      b.client.auth.setup.mutate({ token: 'x'.repeat(43), email: 'a@example.com', name: 'A', password: adminPassword }),
    );
    expect(codeOf(err)).toBe('FORBIDDEN');
    expect((await sql`select count(*)::int as n from users`)[0]?.n).toBe(0);
  });

  it('refuses an expired token', async () => {
    const issued = await core.services.auth.issueSetupToken();
    await sql`update setup_tokens set expires_at = now() - interval '1 second'`;
    const err = await rejection(
      browser(core.url).client.auth.setup.mutate({
        token: issued!.token,
        email: 'a@example.com',
        name: 'A',
        password: adminPassword,
      }),
    );
    expect(codeOf(err)).toBe('FORBIDDEN');
  });

  it('refuses a weak password without using up the token', async () => {
    const issued = await core.services.auth.issueSetupToken();
    const b = browser(core.url);
    const err = await rejection(
      b.client.auth.setup.mutate({ token: issued!.token, email: 'ada@example.com', name: 'Ada', password: 'short' }),
    );
    expect(codeOf(err)).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/at least 12/);
    const again = await rejection(
      b.client.auth.setup.mutate({
        token: issued!.token,
        email: 'adeline@example.com',
        name: 'Adeline',
        password: 'my name is adeline!',
      }),
    );
    expect(again.message).toMatch(/name or email/);
    expect((await sql`select count(*)::int as n from users`)[0]?.n).toBe(0);
  });

  it('creates the admin once, signs them in, and refuses the reused token', async () => {
    const issued = await core.services.auth.issueSetupToken();
    const b = browser(core.url);
    expect(await b.client.auth.setupStatus.query()).toEqual({ needsSetup: true });
    const me = await b.client.auth.setup.mutate({
      token: issued!.token,
      email: 'Admin@Example.com',
      name: 'Ada Admin',
      password: adminPassword,
    });
    expect(me.user).toMatchObject({ email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
    expect(b.jar.get('sb_session')).toBeTruthy();
    expect((await b.client.auth.me.query()).user.email).toBe('admin@example.com');
    expect(await b.client.auth.setupStatus.query()).toEqual({ needsSetup: false });

    const reuse = await rejection(
      browser(core.url).client.auth.setup.mutate({
        token: issued!.token,
        email: 'mallory@example.com',
        name: 'Mallory',
        password: adminPassword,
      }),
    );
    expect(codeOf(reuse)).toBe('FORBIDDEN');
    expect(await core.services.auth.issueSetupToken()).toBeNull();
    const [row] = await sql`select password_hash, email from users`;
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('stores only the hash of session and setup tokens', async () => {
    const b = await signedIn(core);
    const token = b.jar.get('sb_session')!;
    const rows = await sql`select token_hash from sessions`;
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });
});

describe('sign-in and sessions', () => {
  it('sets an HttpOnly SameSite=Lax cookie without Secure on plain HTTP', async () => {
    const res = await fetch(`${core.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', password: adminPassword }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie()[0] ?? '';
    expect(cookie).toMatch(/^sb_session=[\w-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    expect(cookie).toMatch(/Max-Age=604800/);
  });

  it('gives unknown emails and wrong passwords the same answer', async () => {
    const a = await rejection(
      browser(core.url).client.auth.login.mutate({ email: 'nobody@example.com', password: 'whatever-123456' }),
    );
    const b = await rejection(
      browser(core.url).client.auth.login.mutate({ email: 'admin@example.com', password: 'wrong-password-1' }),
    );
    expect(codeOf(a)).toBe('UNAUTHORIZED');
    expect(a.message).toBe(b.message);
    expect(codeOf(b)).toBe('UNAUTHORIZED');
  });

  it('rotates the session on sign-in: the old cookie stops working', async () => {
    const b = await signedIn(core);
    const first = b.jar.get('sb_session');
    await b.client.auth.login.mutate({ email: 'admin@example.com', password: adminPassword });
    expect(b.jar.get('sb_session')).not.toBe(first);
    const stale = browser(core.url);
    stale.jar.set('sb_session', first!);
    expect(codeOf(await rejection(stale.client.auth.me.query()))).toBe('UNAUTHORIZED');
    expect((await b.client.auth.me.query()).user.email).toBe('admin@example.com');
  });

  it('refuses missing, forged, revoked, idle and expired sessions', async () => {
    const anon = browser(core.url);
    expect(codeOf(await rejection(anon.client.auth.me.query()))).toBe('UNAUTHORIZED');
    anon.jar.set('sb_session', 'forged-token-forged-token-forged-token-abc');
    expect(codeOf(await rejection(anon.client.auth.me.query()))).toBe('UNAUTHORIZED');

    const idle = await signedIn(core);
    const idleMe = await idle.client.auth.me.query();
    await sql`update sessions set last_seen_at = now() - interval '13 hours' where id = ${idleMe.sessionId}`;
    expect(codeOf(await rejection(idle.client.auth.me.query()))).toBe('UNAUTHORIZED');

    const old = await signedIn(core);
    const oldMe = await old.client.auth.me.query();
    await sql`update sessions set expires_at = now() - interval '1 second' where id = ${oldMe.sessionId}`;
    expect(codeOf(await rejection(old.client.auth.me.query()))).toBe('UNAUTHORIZED');

    const out = await signedIn(core);
    const token = out.jar.get('sb_session')!;
    await out.client.auth.logout.mutate();
    expect(out.jar.has('sb_session')).toBe(false);
    const replay = browser(core.url);
    replay.jar.set('sb_session', token);
    expect(codeOf(await rejection(replay.client.auth.me.query()))).toBe('UNAUTHORIZED');
  });

  it('signs out every other session and lists the rest', async () => {
    const a = await signedIn(core);
    const b = await signedIn(core);
    const before = await a.client.auth.sessions.query();
    expect(before.filter((s) => s.current)).toHaveLength(1);
    const { revoked } = await a.client.auth.logoutOthers.mutate();
    expect(revoked).toBeGreaterThanOrEqual(1);
    expect(codeOf(await rejection(b.client.auth.me.query()))).toBe('UNAUTHORIZED');
    const after = await a.client.auth.sessions.query();
    expect(after).toHaveLength(1);
    expect(after[0]?.current).toBe(true);
  });

  it('changes the password: needs the current one, ends other sessions, old password stops working', async () => {
    const a = await signedIn(core);
    const other = await signedIn(core);
    const wrong = await rejection(
      a.client.auth.changePassword.mutate({
        currentPassword: 'not-the-password',
        newPassword: 'a brand new passphrase',
      }),
    );
    expect(codeOf(wrong)).toBe('BAD_REQUEST');
    const weak = await rejection(
      a.client.auth.changePassword.mutate({ currentPassword: adminPassword, newPassword: 'short' }),
    );
    expect(codeOf(weak)).toBe('BAD_REQUEST');
    const res = await a.client.auth.changePassword.mutate({
      currentPassword: adminPassword,
      newPassword: 'a brand new passphrase',
    });
    expect(res.otherSessionsEnded).toBeGreaterThanOrEqual(1);
    expect(codeOf(await rejection(other.client.auth.me.query()))).toBe('UNAUTHORIZED');
    expect((await a.client.auth.me.query()).user.email).toBe('admin@example.com');
    expect(codeOf(await rejection(signedIn(core)))).toBe('UNAUTHORIZED');
    await signedIn(core, 'admin@example.com', 'a brand new passphrase');
    await a.client.auth.changePassword.mutate({
      currentPassword: 'a brand new passphrase',
      newPassword: adminPassword,
    });
  });

  it('rate-limits failed sign-ins per account and IP with 429, and still refuses the right password', async () => {
    const b = browser(core.url);
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      codes.push(
        codeOf(
          await rejection(b.client.auth.login.mutate({ email: 'victim@example.com', password: `guess-${i}-xxxxxx` })),
        ),
      );
    }
    expect(codes.slice(0, 4)).toEqual(Array(4).fill('UNAUTHORIZED'));
    expect(codes.slice(4)).toEqual(['TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
    const res = await fetch(`${core.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'victim@example.com', password: 'x' }),
    });
    expect(res.status).toBe(429);
  });
});

describe('setupAdmin helper', () => {
  it('is refused once an admin exists', async () => {
    await expect(setupAdmin(core, 'second@example.com')).rejects.toThrow(/admin exists/);
  });
});

describe('ending one session', () => {
  it('ends only the chosen session of the same user, and refuses others’ or unknown ones', async () => {
    const a = await signedIn(core);
    const b = await signedIn(core);
    const bMe = await b.client.auth.me.query();
    await a.client.auth.revokeSession.mutate({ sessionId: bMe.sessionId });
    expect(codeOf(await rejection(b.client.auth.me.query()))).toBe('UNAUTHORIZED');
    expect((await a.client.auth.me.query()).user.email).toBe('admin@example.com');
    expect(codeOf(await rejection(a.client.auth.revokeSession.mutate({ sessionId: bMe.sessionId })))).toBe('NOT_FOUND');
    const aMe = await a.client.auth.me.query();
    expect(codeOf(await rejection(a.client.auth.revokeSession.mutate({ sessionId: aMe.sessionId })))).toBe(
      'BAD_REQUEST',
    );
    expect(codeOf(await rejection(a.client.auth.revokeSession.mutate({ sessionId: '1; drop table users' })))).toBe(
      'BAD_REQUEST',
    );
  });
});
