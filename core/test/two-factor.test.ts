import type { TRPCClientError } from '@trpc/client';
import { generate } from 'otplib';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../src/trpc/router.js';
import {
  adminPassword,
  type Browser,
  browser,
  outcomeOf,
  setupAdmin,
  startCore,
  type TestCore,
} from './helpers/core.js';

const codeOf = outcomeOf;
/** A code for `steps` time steps from now (±1 step is accepted). */
const codeAt = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

let core: TestCore;
let sql: postgres.Sql;
let admin: Browser;
let secret: string;
let recovery: string[];
beforeAll(async () => {
  core = await startCore({ SERVERBOX_SESSION_CACHE_MS: '0' });
  sql = postgres(core.stores.databaseUrl, { max: 2, onnotice: () => {} });
  admin = await setupAdmin(core);
});
afterAll(async () => {
  await sql.end();
  await core.close();
});

/** Password step: with 2FA on it is refused with a challenge in the error details. */
async function login(email = 'admin@example.com', password = adminPassword) {
  const b = browser(core.url);
  const err = await b.client.auth.login.mutate({ email, password }).then(
    () => null,
    (e) => e as TRPCClientError<AppRouter>,
  );
  const details = (err?.data as { details?: { twoFactorRequired?: boolean; challenge?: string } } | undefined)?.details;
  const r = details?.twoFactorRequired
    ? { twoFactorRequired: true as const, challenge: details.challenge as string, code: err?.data?.code }
    : { twoFactorRequired: false as const };
  return { b, r };
}

describe('enrolment', () => {
  it('shows a secret and QR code, keeps it sealed, and turns on only with a right code', async () => {
    const begun = await admin.client.twoFactor.begin.mutate();
    secret = begun.secret;
    expect(begun.uri).toMatch(/^otpauth:\/\/totp\/serverbox:admin%40example\.com\?secret=/);
    expect(begun.qrSvg).toMatch(/^<svg/);
    const [row] = await sql`select totp_pending_enc, totp_secret_enc from users`;
    expect(row?.totp_pending_enc).toMatch(/^v1:/);
    expect(row?.totp_pending_enc).not.toContain(secret);
    expect(await codeOf(admin.client.twoFactor.enable.mutate({ code: '000000' }))).toBe('BAD_REQUEST');
    const { recoveryCodes } = await admin.client.twoFactor.enable.mutate({ code: await codeAt(secret) });
    recovery = recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const [after] = await sql`select totp_secret_enc from users`;
    expect(after?.totp_secret_enc).toMatch(/^v1:/);
    const codes = await sql`select code_hash from recovery_codes`;
    expect(codes.every((c) => /^[0-9a-f]{64}$/.test(c.code_hash))).toBe(true);
    expect(await admin.client.twoFactor.status.query()).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });
  });
});

describe('signing in with 2FA', () => {
  it('asks for a code after the password, with no session before it', async () => {
    const { b, r } = await login();
    expect(r).toMatchObject({ twoFactorRequired: true, code: 'UNAUTHORIZED' });
    expect(b.jar.has('sb_session')).toBe(false);
    if (!r.twoFactorRequired) throw new Error('unreachable');
    expect(await codeOf(b.client.auth.loginTwoFactor.mutate({ challenge: r.challenge, code: '123456' }))).toBe(
      'UNAUTHORIZED',
    );
    const code = await codeAt(secret, 1);
    const me = await b.client.auth.loginTwoFactor.mutate({ challenge: r.challenge, code });
    expect(me.user.email).toBe('admin@example.com');
    expect(b.jar.has('sb_session')).toBe(true);
    // The same code never works twice.
    const again = await login();
    if (!again.r.twoFactorRequired) throw new Error('unreachable');
    expect(await codeOf(again.b.client.auth.loginTwoFactor.mutate({ challenge: again.r.challenge, code }))).toBe(
      'UNAUTHORIZED',
    );
  });

  it('accepts each recovery code once', async () => {
    const first = await login();
    if (!first.r.twoFactorRequired) throw new Error('unreachable');
    await first.b.client.auth.loginTwoFactor.mutate({ challenge: first.r.challenge, code: recovery[0] as string });
    const second = await login();
    if (!second.r.twoFactorRequired) throw new Error('unreachable');
    expect(
      await codeOf(
        second.b.client.auth.loginTwoFactor.mutate({ challenge: second.r.challenge, code: recovery[0] as string }),
      ),
    ).toBe('UNAUTHORIZED');
    expect((await first.b.client.twoFactor.status.query()).recoveryCodesLeft).toBe(9);
  });

  it('stops guessing: five wrong codes end the challenge with 429', async () => {
    const { b, r } = await login();
    if (!r.twoFactorRequired) throw new Error('unreachable');
    const codes: string[] = [];
    for (let i = 0; i < 6; i++)
      codes.push(await codeOf(b.client.auth.loginTwoFactor.mutate({ challenge: r.challenge, code: `00000${i}` })));
    expect(codes).toEqual([...Array(5).fill('UNAUTHORIZED'), 'TOO_MANY_REQUESTS']);
    expect(
      await codeOf(b.client.auth.loginTwoFactor.mutate({ challenge: r.challenge, code: await codeAt(secret, -1) })),
    ).toBe('UNAUTHORIZED');
  });

  it('re-authenticates sensitive actions with a code', async () => {
    const { b, r } = await login();
    if (!r.twoFactorRequired) throw new Error('unreachable');
    await b.client.auth.loginTwoFactor.mutate({ challenge: r.challenge, code: recovery[1] as string });
    expect(await codeOf(b.client.auth.confirm.mutate({ code: '999999' }))).toBe('BAD_REQUEST');
    expect(await codeOf(b.client.auth.confirm.mutate({ code: recovery[2] as string }))).toBe('OK');
    admin = b;
  });
});

describe('the instance policy', () => {
  it('makes users without 2FA enrol before anything else, and can be lifted', async () => {
    const { token } = await admin.client.users.invite.mutate({ email: 'ops@example.com', role: 'operator' });
    const ops = browser(core.url);
    await ops.client.users.acceptInvite.mutate({ token, name: 'Ops', password: 'operations all night' });
    expect(await codeOf(ops.client.twoFactor.setPolicy.mutate({ policy: 'all' }))).toBe('FORBIDDEN');
    await admin.client.twoFactor.setPolicy.mutate({ policy: 'all' });
    await new Promise((r) => setTimeout(r, 5100)); // the policy is cached for 5 s per process
    const err = await ops.client.system.health.query().catch((e) => e as TRPCClientError<AppRouter>);
    expect((err as TRPCClientError<AppRouter>).data).toMatchObject({
      code: 'FORBIDDEN',
      details: { twoFactorRequired: true },
    });
    expect((await ops.client.auth.me.query()).user.email).toBe('ops@example.com');
    expect(await codeOf(admin.client.system.health.query())).toBe('OK');
    const begun = await ops.client.twoFactor.begin.mutate();
    await ops.client.twoFactor.enable.mutate({ code: await codeAt(begun.secret) });
    expect(await codeOf(ops.client.system.health.query())).toBe('OK');
    expect(await codeOf(ops.client.twoFactor.disable.mutate())).toBe('CONFLICT');
    await admin.client.twoFactor.setPolicy.mutate({ policy: 'off' });
  });
});
