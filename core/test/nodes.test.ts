import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  browser,
  collect,
  outcomeOf,
  setupAdmin,
  startCore,
  type TestCore,
  waitFor,
} from './helpers/core.js';
import { addNode } from './helpers/nodes.js';
import { type ClientKey, clientKey, type SshdNode, startJumpPair, startSshd } from './helpers/sshd.mjs';

// The node registry end to end: real HTTP, real tRPC client, real PostgreSQL and Redis,
// real OpenSSH sshd nodes on loopback.

let core: TestCore;
let admin: Browser;
let sql: postgres.Sql;
let key: ClientKey;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  core = await startCore();
  admin = await setupAdmin(core);
  sql = postgres(core.stores.databaseUrl, { max: 2, onnotice: () => {} });
  key = await clientKey();
});
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => {});
  await sql.end();
  await core.close();
});

async function sshd(name = 'reg', user: 'root' | 'sbx-sudo' | 'sbx-nosudo' = 'sbx-sudo'): Promise<SshdNode> {
  const n = await startSshd({ name, user });
  closers.push(() => n.close());
  return n;
}

async function invited(email: string, role: 'operator' | 'viewer') {
  const { token } = await admin.client.users.invite.mutate({ email, role });
  const b = browser(core.url);
  await b.client.users.acceptInvite.mutate({ token, name: email, password: 'a good long passphrase' });
  return b;
}

const statusOf = async (id: string) => (await admin.client.nodes.get.query({ id })).status;

async function addPinned(name: string, n: SshdNode, labels: string[] = []) {
  await n.authorize(key.publicKey);
  return addNode(admin, n, key.privateKey, { name, username: n.user, labels });
}

describe('adding a node', () => {
  it('generates a key, waits for the host key to be confirmed, then gathers facts', async () => {
    const n = await sshd('gen');
    const events = collect<{ topic: string; data: unknown }>();
    const sub = admin.client.events.onEvent.subscribe(
      {},
      {
        onData: (e) => events.push((e as { data: { topic: string; data: unknown } }).data),
        onError: (e) => events.fail(e),
      },
    );
    try {
      const created = await admin.client.nodes.create.mutate({
        name: 'web-1',
        host: n.host,
        port: n.port,
        username: n.user,
        labels: ['web', 'eu'],
      });
      expect(created.publicKey).toMatch(/^ssh-ed25519 /);
      expect(created.installCommand).toContain(created.publicKey as string);
      expect(JSON.stringify(created)).not.toMatch(/PRIVATE KEY/);
      const id = created.node.id;
      expect(created.node.status).toBe('pending');

      // The key is not installed yet: the first contact still learns the host key.
      await waitFor(
        async () => (await admin.client.nodes.get.query({ id })).offeredHostKey !== null,
        10_000,
        'offered key',
      );
      const pending = await admin.client.nodes.get.query({ id });
      expect(pending.status).toBe('pending');
      expect(pending.offeredHostKey).toMatchObject({ fingerprint: n.hostKeyFingerprint, reason: 'unknown' });
      await events.until((es) => es.some((e) => e.topic === 'nodes.hostKey'), 5000, 'nodes.hostKey event');

      // Confirming a fingerprint the node did not present is refused.
      const wrong = `SHA256:${'A'.repeat(43)}`;
      expect(await outcomeOf(admin.client.nodes.trustHostKey.mutate({ id, fingerprint: wrong }))).toBe('CONFLICT');

      await n.authorize(created.publicKey as string);
      const trusted = await admin.client.nodes.trustHostKey.mutate({ id, fingerprint: n.hostKeyFingerprint });
      expect(trusted.hostKeyFingerprint).toBe(n.hostKeyFingerprint);
      expect(trusted.status).toBe('online');
      expect(trusted.facts).toMatchObject({ sudo: 'passwordless' });
      expect(trusted.facts?.kernel).toBeTruthy();
      expect(trusted.facts?.cpus).toBeGreaterThan(0);
      expect(trusted.facts?.tmux).toMatch(/\d/);
      await events.until(
        (es) => es.some((e) => e.topic === 'nodes.health' && (e.data as { status: string }).status === 'online'),
        5000,
        'online health event',
      );

      const [row] =
        await sql`select private_key_enc from ssh_keys k join nodes n on n.key_id = k.id where n.id = ${id}`;
      expect(String(row?.private_key_enc)).toMatch(/^v1:/);
      expect(String(row?.private_key_enc)).not.toMatch(/PRIVATE KEY/);
      const audit = await sql`select action, outcome from audit_events where target_id = ${id} order by seq`;
      expect(audit.map((a) => `${a.action}:${a.outcome}`)).toEqual(
        expect.arrayContaining(['nodes.create:success', 'nodes.trustHostKey:failure', 'nodes.trustHostKey:success']),
      );
    } finally {
      sub.unsubscribe();
    }
  });

  it('refuses hostile or malformed fields and writes nothing', async () => {
    const before = (await admin.client.nodes.list.query()).total;
    const base = { host: '127.0.0.1', port: 22, username: 'root', labels: [] as string[] };
    const bad = [
      { ...base, name: 'a;touch /tmp/x' },
      { ...base, name: '-rf' },
      { ...base, name: 'ok', host: '$(touch /tmp/x)' },
      { ...base, name: 'ok', host: 'a b' },
      { ...base, name: 'ok', username: 'root;id' },
      { ...base, name: 'ok', username: '-oProxyCommand=touch' },
      { ...base, name: 'ok', labels: ['`id`'] },
      { ...base, name: 'ok', hostKeyFingerprint: 'not-a-fingerprint' },
      { ...base, name: 'ok', port: 70000 },
      { ...base, name: 'x'.repeat(200) },
    ];
    for (const input of bad) expect(await outcomeOf(admin.client.nodes.create.mutate(input))).toBe('BAD_REQUEST');
    expect(
      await outcomeOf(
        admin.client.nodes.create.mutate({
          ...base,
          name: 'ok',
          credential: { kind: 'upload', privateKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA not-private' },
        }),
      ),
    ).toBe('BAD_REQUEST');
    expect((await admin.client.nodes.list.query()).total).toBe(before);
  });

  it('refuses a duplicate name', async () => {
    const n = await sshd('dup');
    await addPinned('dup-1', n);
    expect(
      await outcomeOf(
        admin.client.nodes.create.mutate({ name: 'DUP-1', host: n.host, port: n.port, username: n.user, labels: [] }),
      ),
    ).toBe('CONFLICT');
  });
});

describe('host key changes', () => {
  it('quarantines a node whose key changed, audits it, and only an admin can accept the new key', async () => {
    const n = await sshd('swap');
    const id = await addPinned('swap-1', n);
    const oldFingerprint = n.hostKeyFingerprint;
    await n.swapHostKey();
    core.services.nodes.pool.drop(id);
    await core.services.nodes.sweep();
    await waitFor(async () => (await statusOf(id)) === 'quarantined', 10_000, 'quarantined');
    const q = await admin.client.nodes.get.query({ id });
    expect(q.offeredHostKey).toMatchObject({ reason: 'mismatch', fingerprint: n.hostKeyFingerprint });
    expect(q.hostKeyFingerprint).toBe(oldFingerprint);
    const [row] =
      await sql`select actor_type, outcome from audit_events where action = 'nodes.hostKeyMismatch' and target_id = ${id}`;
    expect(row).toMatchObject({ actor_type: 'system', outcome: 'denied' });

    // While quarantined nothing connects, not even a refresh.
    expect(await outcomeOf(admin.client.nodes.refresh.mutate({ id }))).toBe('CONFLICT');
    const op = await invited('op-swap@example.com', 'operator');
    expect(await outcomeOf(op.client.nodes.trustHostKey.mutate({ id, fingerprint: n.hostKeyFingerprint }))).toBe(
      'FORBIDDEN',
    );

    const accepted = await admin.client.nodes.trustHostKey.mutate({ id, fingerprint: n.hostKeyFingerprint });
    expect(accepted.status).toBe('online');
    expect(accepted.hostKeyFingerprint).toBe(n.hostKeyFingerprint);
  });
});

describe('reaching nodes', () => {
  it('reaches a node through a jump host', async () => {
    const pair = await startJumpPair({ jump: { user: 'sbx-sudo' }, hidden: { user: 'sbx-sudo' } });
    closers.push(() => pair.close());
    const jumpId = await addPinned('jump-1', pair.jump);
    await pair.hidden.authorize(key.publicKey);
    await addNode(
      admin,
      { ...pair.hidden, host: pair.hidden.hostFromJump, port: pair.hidden.portFromJump },
      key.privateKey,
      { name: 'hidden-1', username: pair.hidden.user, jumpNodeId: jumpId },
    );
    expect(await outcomeOf(admin.client.nodes.remove.mutate({ id: jumpId }))).toBe('CONFLICT');
  });

  it('marks an unreachable node degraded, then offline, with the reason', async () => {
    const n = await sshd('down');
    const id = await addPinned('down-1', n);
    await n.stop();
    core.services.nodes.pool.drop(id);
    await core.services.nodes.sweep();
    expect(await statusOf(id)).toBe('degraded');
    core.services.nodes.pool.drop(id);
    await core.services.nodes.sweep();
    const off = await admin.client.nodes.get.query({ id });
    expect(off.status).toBe('offline');
    expect(off.statusReason).toMatch(/cannot reach|closed|refused/i);
    await n.start();
    core.services.nodes.pool.drop(id);
    await core.services.nodes.sweep();
    expect(await statusOf(id)).toBe('online');
  });

  it('says when the node user has no sudo', async () => {
    const n = await sshd('nosudo', 'sbx-nosudo');
    const id = await addPinned('nosudo-1', n);
    const node = await admin.client.nodes.get.query({ id });
    expect(node.facts?.sudo).toBe('missing');
    expect(node.statusReason).toMatch(/sudo/);
  });
});

describe('who sees which nodes', () => {
  it('scopes lists and reads to the actor, and keeps writes for admins', async () => {
    const a = await sshd('scope-a');
    const b = await sshd('scope-b');
    const idA = await addPinned('scope-a', a, ['team-a']);
    const idB = await addPinned('scope-b', b, ['team-b']);
    const viewer = await invited('viewer-scope@example.com', 'viewer');
    const me = await viewer.client.auth.me.query();
    await admin.client.users.setNodeScope.mutate({
      userId: me.user.id,
      nodeScope: { nodeIds: [], labels: ['team-a'] },
    });
    await new Promise((r) => setTimeout(r, 2100)); // the session cache
    const names = (await viewer.client.nodes.list.query()).items.map((n) => n.name);
    expect(names).toContain('scope-a');
    expect(names).not.toContain('scope-b');
    expect(await outcomeOf(viewer.client.nodes.get.query({ id: idB }))).toBe('NOT_FOUND');
    expect(await outcomeOf(viewer.client.nodes.get.query({ id: idA }))).toBe('OK');
    expect(await outcomeOf(viewer.client.nodes.remove.mutate({ id: idA }))).toBe('FORBIDDEN');
    expect(await outcomeOf(viewer.client.nodes.publicKey.query({ id: idA }))).toBe('FORBIDDEN');

    const link = await admin.client.guests.create.mutate({
      label: 'node auditor',
      permissions: ['nodes:read'],
      nodeScope: { nodeIds: [idB], labels: [] },
    });
    const guest = browser(core.url);
    await guest.fetch(`${core.url}/g/${link.token}`, { redirect: 'manual' });
    const seen = (await guest.client.nodes.list.query()).items.map((n) => n.name);
    expect(seen).toEqual(['scope-b']);
    expect(await outcomeOf(guest.client.nodes.refresh.mutate({ id: idB }))).toBe('FORBIDDEN');
    expect(
      await outcomeOf(
        guest.client.nodes.create.mutate({ name: 'g', host: 'h', port: 22, username: 'root', labels: [] }),
      ),
    ).toBe('FORBIDDEN');
  });

  it('never returns key material in lists or reads', async () => {
    const all = await admin.client.nodes.list.query({ limit: 200, offset: 0 });
    const text =
      JSON.stringify(all) +
      JSON.stringify(await Promise.all(all.items.map((n) => admin.client.nodes.get.query({ id: n.id }))));
    expect(text).not.toMatch(/PRIVATE KEY|private_key|privateKeyEnc/);
  });
});
