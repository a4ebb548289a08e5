import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../src/platform/events/topics.js';
import {
  type Browser,
  browser,
  collect,
  outcomeOf,
  setupAdmin,
  signedIn,
  startCore,
  type TestCore,
  waitFor,
} from './helpers/core.js';
import { addNode } from './helpers/nodes.js';
import { type ClientKey, clientKey, startSshd } from './helpers/sshd.mjs';
import { DEMO_UNIT, type SystemdNode, startSystemdNode } from './helpers/systemd-node.mjs';

// systemd units and live journals end to end: real HTTP and tRPC client, real PostgreSQL and
// Redis, and a real node running systemd as PID 1 (a container reached over SSH).

let core: TestCore;
let admin: Browser;
let key: ClientKey;
let node: SystemdNode;
/** The node registered as sbx-sudo (passwordless sudo): root actions go through sudo -n. */
let nodeId: string;
/** The same machine registered as sbx-nosudo. */
let noSudoId: string;

async function register(name: string, username: 'root' | 'sbx-sudo' | 'sbx-nosudo') {
  await node.authorize(key.publicKey, username);
  return addNode(admin, node, key.privateKey, { name, username });
}

async function invited(email: string, role: 'operator' | 'viewer') {
  const { token } = await admin.client.users.invite.mutate({ email, role });
  const b = browser(core.url);
  await b.client.users.acceptInvite.mutate({ token, name: email, password: 'a good long passphrase' });
  return b;
}

function tab(b: Browser) {
  const got = collect<BusEvent>();
  const sub = b.client.events.onEvent.subscribe(undefined, {
    onData: (e) => got.push(e.data as BusEvent),
    onError: (err) => got.fail(err),
  });
  return { got, stop: () => sub.unsubscribe() };
}
type Journal = Extract<BusEvent, { topic: 'services.journal' }>;
const journalOf = (items: BusEvent[], followId: string) =>
  items.filter((e): e is Journal => e.topic === 'services.journal' && e.data.followId === followId);
const linesOf = (items: BusEvent[], followId: string) => journalOf(items, followId).flatMap((e) => e.data.lines);

/** Remote journalctl processes following `unit` (the [x] keeps the probe's own shell out). */
const journalctls = (unit: string) =>
  node.exec('pgrep -af "$1" || true', [`journalctl -u [${unit[0]}]${unit.slice(1)}`]).then((s) => s.trim());

beforeAll(async () => {
  [core, key, node] = await Promise.all([startCore(), clientKey(), startSystemdNode({ name: 'services' })]);
  admin = await setupAdmin(core);
  nodeId = await register('sd-sudo', 'sbx-sudo');
  noSudoId = await register('sd-nosudo', 'sbx-nosudo');
}, 180_000);
afterAll(async () => {
  await core?.close();
  await node?.close();
});

describe('listing and status', () => {
  it('lists service units with their states and enablement', async () => {
    const all = await admin.client.services.list.query({ nodeId });
    const demo = all.items.find((u) => u.unit === DEMO_UNIT);
    expect(demo).toMatchObject({ load: 'loaded', active: 'active', sub: 'running', enablement: 'enabled' });
    expect(demo?.description).toMatch(/serverbox demo service/);
    expect(all.items.find((u) => u.unit === 'ssh.service')).toMatchObject({ active: 'active' });
    expect(all.total).toBeGreaterThan(5);
    expect(all.counts.active).toBeGreaterThan(1);

    const found = await admin.client.services.list.query({ nodeId, search: 'DEMO', state: 'active' });
    expect(found.items.map((u) => u.unit)).toEqual([DEMO_UNIT]);
    const page = await admin.client.services.list.query({ nodeId, limit: 2, offset: 1 });
    expect(page.items).toHaveLength(2);
    expect(page.items[0]?.unit).toBe(all.items[1]?.unit);
  });

  it('shows a unit’s properties and its last journal lines', async () => {
    const s = await admin.client.services.status.query({ nodeId, unit: DEMO_UNIT });
    expect(s).toMatchObject({ unit: DEMO_UNIT, loadState: 'loaded', activeState: 'active', subState: 'running' });
    expect(s.unitFileState).toBe('enabled');
    expect(s.fragmentPath).toBe(`/etc/systemd/system/${DEMO_UNIT}`);
    expect(s.mainPid).toBeGreaterThan(1);
    expect(s.execMainStartTimestamp).toMatch(/\d{4}-\d\d-\d\d/);
    expect(s.journal.error).toBeNull();
    expect(s.journal.lines.length).toBeGreaterThan(0);
    expect(s.journal.lines.length).toBeLessThanOrEqual(50);
    expect(s.journal.lines.at(-1)).toMatch(/sbx-demo tick \d+/);
  });

  it('answers NOT_FOUND for a unit the node does not have', async () => {
    expect(await outcomeOf(admin.client.services.status.query({ nodeId, unit: 'no-such-thing.service' }))).toBe(
      'NOT_FOUND',
    );
    expect(
      await outcomeOf(
        admin.client.services.action.mutate({ nodeId, unit: 'no-such-thing.service', action: 'restart' }),
      ),
    ).toBe('NOT_FOUND');
  });

  it('says so when a node does not run systemd', async () => {
    const plain = await startSshd({ name: 'nosystemd', user: 'sbx-sudo' });
    try {
      await plain.authorize(key.publicKey);
      const plainId = await addNode(admin, plain, key.privateKey, { name: 'plain', username: plain.user, wait: false });
      const err = await admin.client.services.list.query({ nodeId: plainId }).then(
        () => null,
        (e: Error & { data?: { code?: string } }) => e,
      );
      expect(err?.data?.code).toBe('CONFLICT');
      expect(err?.message).toBe('plain does not run systemd.');
      await admin.client.nodes.remove.mutate({ id: plainId });
    } finally {
      await plain.close();
    }
  });
});

describe('actions', () => {
  it('restarts (new MainPID and start time), stops and starts, with events and audit rows', async () => {
    const t = tab(admin);
    try {
      const before = await admin.client.services.status.query({ nodeId, unit: DEMO_UNIT, lines: 0 });
      await new Promise((r) => setTimeout(r, 1100)); // timestamps have second resolution
      const restarted = await admin.client.services.action.mutate({ nodeId, unit: DEMO_UNIT, action: 'restart' });
      expect(restarted.activeState).toBe('active');
      expect(restarted.mainPid).not.toBe(before.mainPid);
      expect(restarted.activeEnterTimestamp).not.toBe(before.activeEnterTimestamp);
      await t.got.until(
        (i) =>
          i.some((e) => e.topic === 'services.changed' && e.data.unit === DEMO_UNIT && e.data.action === 'restart'),
        5000,
        'services.changed',
      );

      const stopped = await admin.client.services.action.mutate({ nodeId, unit: DEMO_UNIT, action: 'stop' });
      expect(stopped).toMatchObject({ activeState: 'inactive', mainPid: null });
      expect((await node.exec('systemctl is-active sbx-demo.service || true')).trim()).toBe('inactive');
      const started = await admin.client.services.action.mutate({ nodeId, unit: DEMO_UNIT, action: 'start' });
      expect(started).toMatchObject({ activeState: 'active', subState: 'running' });

      const reloaded = await admin.client.services.action.mutate({ nodeId, unit: DEMO_UNIT, action: 'reload' });
      expect(reloaded.activeState).toBe('active');
      // A unit that cannot reload: systemctl refuses, the caller sees why.
      const refused = await admin.client.services.action
        .mutate({ nodeId, unit: 'systemd-journald.service', action: 'reload' })
        .then(
          () => null,
          (e: Error & { data?: { code?: string } }) => e,
        );
      expect(refused?.data?.code).toBe('CONFLICT');
      expect(refused?.message).toMatch(/systemctl reload systemd-journald.service failed on sd-sudo: .*not applicable/);

      await admin.client.services.action.mutate({ nodeId, unit: DEMO_UNIT, action: 'disable' });
      expect((await admin.client.services.status.query({ nodeId, unit: DEMO_UNIT, lines: 0 })).unitFileState).toBe(
        'disabled',
      );
      await admin.client.services.action.mutate({ nodeId, unit: DEMO_UNIT, action: 'enable' });
      expect((await node.exec('systemctl is-enabled sbx-demo.service')).trim()).toBe('enabled');

      const audit = await admin.client.audit.list.query({ action: 'services.action', limit: 50 });
      const rows = audit.rows.filter((r) => r.outcome === 'success');
      expect(rows.map((r) => (r.details as { action?: string }).action)).toEqual(
        expect.arrayContaining(['restart', 'stop', 'start', 'enable', 'disable']),
      );
      expect(rows[0]).toMatchObject({ target: { type: 'node', id: nodeId, name: 'sd-sudo' } });
      expect(rows[0]?.details).toMatchObject({ unit: DEMO_UNIT });
    } finally {
      t.stop();
    }
  });

  it('lets viewers read but not act, and operators act', async () => {
    const viewer = await invited('viewer@example.com', 'viewer');
    const operator = await invited('operator@example.com', 'operator');
    expect((await viewer.client.services.list.query({ nodeId })).items.some((u) => u.unit === DEMO_UNIT)).toBe(true);
    expect((await viewer.client.services.status.query({ nodeId, unit: DEMO_UNIT })).activeState).toBe('active');
    const pid = (await viewer.client.services.status.query({ nodeId, unit: DEMO_UNIT, lines: 0 })).mainPid;
    expect(await outcomeOf(viewer.client.services.action.mutate({ nodeId, unit: DEMO_UNIT, action: 'restart' }))).toBe(
      'FORBIDDEN',
    );
    expect((await admin.client.services.status.query({ nodeId, unit: DEMO_UNIT, lines: 0 })).mainPid).toBe(pid);
    const r = await operator.client.services.action.mutate({ nodeId, unit: DEMO_UNIT, action: 'restart' });
    expect(r.mainPid).not.toBe(pid);

    const audit = await admin.client.audit.list.query({ action: 'services.action', limit: 50 });
    expect(audit.rows.some((a) => a.outcome === 'denied' && a.actor.name === 'viewer@example.com')).toBe(true);
    expect(audit.rows.some((a) => a.outcome === 'success' && a.actor.name === 'operator@example.com')).toBe(true);
  });

  it('needs sudo for actions and journals: a clear sudo-required error, status still readable', async () => {
    const err = await admin.client.services.action
      .mutate({ nodeId: noSudoId, unit: DEMO_UNIT, action: 'restart' })
      .then(
        () => null,
        (e: Error & { data?: { code?: string } }) => e,
      );
    expect(err?.data?.code).toBe('PRECONDITION_FAILED');
    expect(err?.message).toMatch(/sbx-nosudo .*cannot run commands as root.*sudo/);
    const s = await admin.client.services.status.query({ nodeId: noSudoId, unit: DEMO_UNIT });
    expect(s.activeState).toBe('active');
    expect(s.journal).toMatchObject({ lines: [], error: expect.stringMatching(/sudo/) });
    expect(await outcomeOf(admin.client.services.follow.mutate({ nodeId: noSudoId, unit: DEMO_UNIT }))).toBe(
      'PRECONDITION_FAILED',
    );
  });

  it('refuses hostile unit names before anything runs on the node', async () => {
    const hostile = [
      'x;touch /tmp/p1',
      '-h',
      '--help.service',
      'a b.service',
      '$(touch /tmp/p2).service',
      '`touch /tmp/p3`.service',
      'a\ntouch /tmp/p4\n.service',
      "a';touch /tmp/p5;'.service",
      'sbx-demo',
      '../sbx-demo.service',
    ];
    for (const unit of hostile) {
      // outcomeOf at once: a call left unobserved while another is awaited is an unhandled rejection.
      const outcomes = await Promise.all([
        outcomeOf(admin.client.services.status.query({ nodeId, unit })),
        outcomeOf(admin.client.services.action.mutate({ nodeId, unit, action: 'restart' })),
        outcomeOf(admin.client.services.follow.mutate({ nodeId, unit })),
      ]);
      expect(outcomes, JSON.stringify(unit)).toEqual(['BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST']);
    }
    // systemd's own escapes are valid names: they reach the node quoted, as one word.
    expect(await outcomeOf(admin.client.services.status.query({ nodeId, unit: 'p6\\x3btouch\\x20p6.service' }))).toBe(
      'NOT_FOUND',
    );
    expect((await node.exec('ls /tmp /home/sbx-sudo; ls / | grep "^p[0-9]" || true')).trim()).not.toMatch(/\bp\d\b/);
    expect(await journalctls('-h')).toBe('');
  });
});

describe('following a journal', () => {
  it('delivers new lines to the follower’s session only, and unfollow kills the remote journalctl', async () => {
    const other = await signedIn(core); // the same admin, another session
    const mine = tab(admin);
    const theirs = tab(other);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const { followId, heartbeatSeconds } = await admin.client.services.follow.mutate({
        nodeId,
        unit: DEMO_UNIT,
        lines: 3,
      });
      expect(heartbeatSeconds).toBeLessThanOrEqual(10);
      await mine.got.until(
        (i) => linesOf(i, followId).filter((l) => /sbx-demo tick \d+/.test(l)).length >= 5,
        10_000,
        'five journal lines',
      );
      // New lines, not only the backlog: the tick numbers keep rising.
      const ticks = linesOf(mine.got.items, followId)
        .map((l) => Number(/tick (\d+)/.exec(l)?.[1]))
        .filter((n) => !Number.isNaN(n));
      expect(ticks.at(-1)).toBeGreaterThan(ticks[0] as number);
      expect(journalOf(mine.got.items, followId)[0]?.data.node).toMatchObject({ id: nodeId, name: 'sd-sudo' });
      expect(await journalctls(DEMO_UNIT)).toMatch(/journalctl -u sbx-demo.service -f/);

      // Someone else's follow cannot be renewed or stopped.
      expect(await outcomeOf(other.client.services.keepFollowing.query({ followId }))).toBe('NOT_FOUND');
      expect(await outcomeOf(other.client.services.unfollow.mutate({ followId }))).toBe('NOT_FOUND');
      expect(await admin.client.services.keepFollowing.query({ followId })).toEqual({ ok: true });

      expect(await admin.client.services.unfollow.mutate({ followId })).toMatchObject({ ok: true });
      await waitFor(async () => (await journalctls(DEMO_UNIT)) === '', 5000, 'the remote journalctl to exit');
      await mine.got.until(
        (i) => journalOf(i, followId).some((e) => e.data.ended?.reason === 'unfollowed'),
        5000,
        'the ended event',
      );
      expect(core.services.services.following()).toBe(0);
      expect(await outcomeOf(admin.client.services.keepFollowing.query({ followId }))).toBe('NOT_FOUND');

      await new Promise((r) => setTimeout(r, 500));
      expect(theirs.got.items.filter((e) => e.topic === 'services.journal')).toEqual([]);
      expect(theirs.got.error).toBeNull();

      const audit = await admin.client.audit.list.query({ action: 'services.follow', limit: 5 });
      expect(audit.rows[0]).toMatchObject({ outcome: 'success', target: { type: 'node', id: nodeId } });
    } finally {
      mine.stop();
      theirs.stop();
    }
  });

  it('caps follows per session', async () => {
    const s = await signedIn(core);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push((await s.client.services.follow.mutate({ nodeId, unit: DEMO_UNIT, lines: 0 })).followId);
    expect(await outcomeOf(s.client.services.follow.mutate({ nodeId, unit: DEMO_UNIT, lines: 0 }))).toBe('CONFLICT');
    for (const followId of ids) await s.client.services.unfollow.mutate({ followId });
    await waitFor(async () => (await journalctls(DEMO_UNIT)) === '', 5000, 'every journalctl to exit');
    const again = await s.client.services.follow.mutate({ nodeId, unit: DEMO_UNIT, lines: 0 });
    await s.client.services.unfollow.mutate({ followId: again.followId });
  });

  it('stops when the owner’s session is revoked', async () => {
    const victim = await signedIn(core);
    const me = await victim.client.auth.me.query();
    const { followId } = await victim.client.services.follow.mutate({ nodeId, unit: 'ssh.service', lines: 0 });
    await waitFor(async () => (await journalctls('ssh.service')) !== '', 5000, 'journalctl running');
    await admin.client.auth.revokeSession.mutate({ sessionId: me.sessionId });
    await waitFor(async () => (await journalctls('ssh.service')) === '', 5000, 'the remote journalctl to exit');
    expect(await outcomeOf(admin.client.services.keepFollowing.query({ followId }))).toBe('NOT_FOUND');
  });

  it('stops a follow whose heartbeats stop, and keeps one that beats', async () => {
    const t = tab(admin);
    try {
      const kept = await admin.client.services.follow.mutate({ nodeId, unit: DEMO_UNIT, lines: 0 });
      const left = await admin.client.services.follow.mutate({ nodeId, unit: 'dbus.service', lines: 0 });
      await waitFor(async () => (await journalctls('dbus.service')) !== '', 5000, 'journalctl running');
      const beat = setInterval(() => void admin.client.services.keepFollowing.query({ followId: kept.followId }), 5000);
      try {
        // 30 s without a heartbeat, plus up to 5 s until the lease check notices.
        await t.got.until(
          (i) => journalOf(i, left.followId).some((e) => e.data.ended?.reason === 'idle'),
          45_000,
          'the idle follow to end',
        );
        await waitFor(async () => (await journalctls('dbus.service')) === '', 5000, 'the idle journalctl to exit');
        expect(await journalctls(DEMO_UNIT)).not.toBe('');
        const seen = linesOf(t.got.items, kept.followId).length;
        await t.got.until((i) => linesOf(i, kept.followId).length > seen, 5000, 'the kept follow to go on');
      } finally {
        clearInterval(beat);
        await admin.client.services.unfollow.mutate({ followId: kept.followId });
      }
      await waitFor(async () => (await journalctls(DEMO_UNIT)) === '', 5000, 'the kept journalctl to exit');
    } finally {
      t.stop();
    }
  }, 70_000);
});
