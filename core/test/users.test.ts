import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  browser,
  outcomeOf,
  setupAdmin,
  signedIn,
  startCore,
  type TestCore,
  waitFor,
} from './helpers/core.js';

const codeOf = outcomeOf;

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

async function invited(email: string, role: 'admin' | 'operator' | 'viewer', password = 'a good long passphrase') {
  const { token } = await admin.client.users.invite.mutate({ email, role });
  const b = browser(core.url);
  await b.client.users.acceptInvite.mutate({ token, name: `User ${email.split('@')[0]}`, password });
  return b;
}

describe('invitations', () => {
  it('creates the account with the invited role, once', async () => {
    const { token } = await admin.client.users.invite.mutate({ email: 'Olga@Example.com', role: 'operator' });
    expect((await admin.client.users.invites.query()).map((i) => i.email)).toContain('olga@example.com');
    const olga = browser(core.url);
    const me = await olga.client.users.acceptInvite.mutate({
      token,
      name: 'Olga Operator',
      password: 'operating all day long',
    });
    expect(me.user).toMatchObject({ email: 'olga@example.com', role: 'operator' });
    expect(me.permissions).not.toContain('users:manage');
    expect(
      await codeOf(
        browser(core.url).client.users.acceptInvite.mutate({ token, name: 'Eve', password: 'x'.repeat(20) }),
      ),
    ).toBe('FORBIDDEN');
    expect((await admin.client.users.invites.query()).map((i) => i.email)).not.toContain('olga@example.com');
  });

  it('refuses revoked invitations, existing emails and weak passwords', async () => {
    const { id, token } = await admin.client.users.invite.mutate({ email: 'vic@example.com', role: 'viewer' });
    await admin.client.users.revokeInvite.mutate({ inviteId: id });
    expect(
      await codeOf(
        browser(core.url).client.users.acceptInvite.mutate({ token, name: 'Vic', password: 'a fine passphrase' }),
      ),
    ).toBe('FORBIDDEN');
    expect(await codeOf(admin.client.users.invite.mutate({ email: 'admin@example.com', role: 'viewer' }))).toBe(
      'CONFLICT',
    );
    const again = await admin.client.users.invite.mutate({ email: 'weak@example.com', role: 'viewer' });
    expect(
      await codeOf(
        browser(core.url).client.users.acceptInvite.mutate({ token: again.token, name: 'W', password: 'short' }),
      ),
    ).toBe('BAD_REQUEST');
    // The failed attempt did not use the invitation up.
    await browser(core.url).client.users.acceptInvite.mutate({
      token: again.token,
      name: 'Wendy',
      password: 'long enough now, really',
    });
  });

  it('lets only users:manage holders administer users, and audits the denials', async () => {
    const viewer = await invited('reader@example.com', 'viewer');
    expect(await codeOf(viewer.client.users.list.query())).toBe('FORBIDDEN');
    expect(await codeOf(viewer.client.users.invite.mutate({ email: 'x@example.com', role: 'admin' }))).toBe(
      'FORBIDDEN',
    );
    const denied =
      await sql`select actor_name, outcome from audit_events where action = 'users.invite' and outcome = 'denied'`;
    expect(denied).toEqual([{ actor_name: 'User reader', outcome: 'denied' }]);
  });
});

describe('roles, disabling and forced sign-out', () => {
  it('changes a role, ending the user’s sessions so the new role applies at once', async () => {
    const op = await invited('promote@example.com', 'operator');
    const { user } = await op.client.auth.me.query();
    const r = await admin.client.users.setRole.mutate({ userId: user.id, role: 'viewer' });
    expect(r.sessionsEnded).toBe(1);
    expect(await codeOf(op.client.auth.me.query())).toBe('UNAUTHORIZED');
    const again = await signedIn(core, 'promote@example.com', 'a good long passphrase');
    expect((await again.client.auth.me.query()).user.role).toBe('viewer');
    const [row] = await sql`select canon from audit_events where action = 'users.setRole' order by seq desc limit 1`;
    expect(JSON.parse(row?.canon).target).toEqual({ type: 'user', id: user.id, name: 'promote@example.com' });
  });

  it('never removes the last enabled admin', async () => {
    const me = await admin.client.auth.me.query();
    expect(await codeOf(admin.client.users.setRole.mutate({ userId: me.user.id, role: 'operator' }))).toBe('CONFLICT');
    expect(await codeOf(admin.client.users.setDisabled.mutate({ userId: me.user.id, disabled: true }))).toBe(
      'BAD_REQUEST',
    );
    // With a second admin, the first may step down.
    const second = await invited('second-admin@example.com', 'admin');
    const secondMe = await second.client.auth.me.query();
    expect(await codeOf(second.client.users.setDisabled.mutate({ userId: me.user.id, disabled: true }))).toBe('OK');
    expect(await codeOf(second.client.users.setRole.mutate({ userId: secondMe.user.id, role: 'viewer' }))).toBe(
      'CONFLICT',
    );
    await second.client.users.setDisabled.mutate({ userId: me.user.id, disabled: false });
    admin = await signedIn(core);
  });

  it('disables an account: its sessions and open streams end, sign-in is refused like a wrong password', async () => {
    const victim = await invited('leaver@example.com', 'admin');
    const { user } = await victim.client.auth.me.query();
    let ended = false;
    const sub = victim.client.events.onEvent.subscribe(undefined, {
      onError: () => (ended = true),
      onComplete: () => (ended = true),
    });
    await new Promise((r) => setTimeout(r, 300));
    await admin.client.users.setDisabled.mutate({ userId: user.id, disabled: true });
    await waitFor(() => ended, 5000, 'the disabled user’s stream to end');
    sub.unsubscribe();
    expect(await codeOf(signedIn(core, 'leaver@example.com', 'a good long passphrase'))).toBe('UNAUTHORIZED');
    const list = await admin.client.users.list.query();
    expect(list.find((u) => u.id === user.id)).toMatchObject({ disabled: true, activeSessions: 0 });
    await admin.client.users.setDisabled.mutate({ userId: user.id, disabled: false });
    await signedIn(core, 'leaver@example.com', 'a good long passphrase');
  });

  it('forces a user out everywhere', async () => {
    const a = await invited('forced@example.com', 'viewer');
    const { user } = await a.client.auth.me.query();
    const b = await signedIn(core, 'forced@example.com', 'a good long passphrase');
    const r = await admin.client.users.forceSignOut.mutate({ userId: user.id });
    expect(r.sessionsEnded).toBe(2);
    expect(await codeOf(a.client.auth.me.query())).toBe('UNAUTHORIZED');
    expect(await codeOf(b.client.auth.me.query())).toBe('UNAUTHORIZED');
  });

  it('scopes a user to nodes, effective on their very next request', async () => {
    const op = await invited('scoped@example.com', 'operator');
    const { user } = await op.client.auth.me.query();
    expect((await op.client.auth.me.query()).nodeScope).toBeNull();
    const scope = { nodeIds: [], labels: ['web', 'prod'] };
    await admin.client.users.setNodeScope.mutate({ userId: user.id, nodeScope: scope });
    expect((await op.client.auth.me.query()).nodeScope).toEqual(scope);
    expect((await admin.client.users.list.query()).find((u) => u.id === user.id)?.nodeScope).toEqual(scope);
    expect(
      await codeOf(
        admin.client.users.setNodeScope.mutate({ userId: user.id, nodeScope: { nodeIds: [], labels: ['-rm -rf'] } }),
      ),
    ).toBe('BAD_REQUEST');
    await admin.client.users.setNodeScope.mutate({ userId: user.id, nodeScope: null });
    expect((await op.client.auth.me.query()).nodeScope).toBeNull();
  });

  it('answers unknown and malformed user ids clearly', async () => {
    expect(
      await codeOf(admin.client.users.forceSignOut.mutate({ userId: '00000000-0000-4000-8000-000000000000' })),
    ).toBe('NOT_FOUND');
    expect(await codeOf(admin.client.users.setRole.mutate({ userId: "'; drop table users; --", role: 'admin' }))).toBe(
      'BAD_REQUEST',
    );
  });
});
