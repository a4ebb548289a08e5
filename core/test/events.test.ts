import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../src/platform/events/topics.js';
import type { AppRouter } from '../src/trpc/router.js';
import { type Browser, collect, setupAdmin, signedIn, startCore, type TestCore, waitFor } from './helpers/core.js';

let core: TestCore;
let admin: Browser;
beforeAll(async () => {
  core = await startCore();
  admin = await setupAdmin(core);
});
afterAll(async () => {
  await core.close();
});

function subscribe(b: Browser, lastEventId?: string | null) {
  const got = collect<BusEvent>();
  let completed = false;
  const sub = b.client.events.onEvent.subscribe(lastEventId === undefined ? undefined : { lastEventId }, {
    onData: (e) => got.push(e.data as BusEvent),
    onError: (err) => got.fail(err),
    onComplete: () => {
      completed = true;
    },
  });
  return {
    got,
    stop: () => sub.unsubscribe(),
    get ended() {
      return completed || got.error !== null;
    },
  };
}

const signInsOf = (items: BusEvent[], email: string) =>
  items.filter((e) => e.topic === 'auth.signedIn' && e.data.user.email === email);

describe('live events', () => {
  it('delivers a sign-in to every open admin stream', async () => {
    const tabA = subscribe(admin);
    const other = await signedIn(core);
    const tabB = subscribe(other);
    await new Promise((r) => setTimeout(r, 300)); // both streams are open
    await signedIn(core);
    await tabA.got.until((i) => signInsOf(i, 'admin@example.com').length >= 1, 5000, 'sign-in on tab A');
    await tabB.got.until((i) => signInsOf(i, 'admin@example.com').length >= 1, 5000, 'sign-in on tab B');
    tabA.stop();
    tabB.stop();
  });

  it('resumes from lastEventId without loss or duplicates', async () => {
    const { events, cursor } = await admin.client.events.recent.query({ limit: 5 });
    expect(events.length).toBeGreaterThan(0);
    // Three events happen while nobody listens...
    for (let i = 0; i < 3; i++) {
      await core.services.bus.publish('auth.passwordChanged', {
        user: { id: `u${i}`, name: `User ${i}`, email: `u${i}@example.com` },
      });
    }
    // ...then a stream resuming from the cursor gets exactly those, in order, then live ones.
    const tab = subscribe(admin, cursor);
    await tab.got.until((i) => i.length >= 3, 5000, 'backfill');
    await core.services.bus.publish('auth.passwordChanged', {
      user: { id: 'u3', name: 'User 3', email: 'u3@example.com' },
    });
    await tab.got.until((i) => i.length >= 4, 5000, 'live event after backfill');
    await new Promise((r) => setTimeout(r, 300));
    const names = tab.got.items.map((e) => (e.topic === 'auth.passwordChanged' ? e.data.user.name : e.topic));
    expect(names).toEqual(['User 0', 'User 1', 'User 2', 'User 3']);
    expect(new Set(tab.got.items.map((e) => e.id)).size).toBe(4);
    tab.stop();
  });

  it('refuses a malformed lastEventId', async () => {
    const tab = subscribe(admin, 'not-an-id');
    await tab.got.until(() => tab.got.error !== null, 5000, 'an error');
    expect((tab.got.error as TRPCClientError<never>).message).toMatch(/event id/);
  });

  it('does not stream to anonymous callers: the stream carries UNAUTHORIZED and no event', async () => {
    const res = await fetch(`${core.url}/trpc/events.onEvent?input=${encodeURIComponent('{}')}`);
    const text = await res.text(); // tRPC ends the stream after the error
    expect(text).toMatch(/UNAUTHORIZED/);
    expect(text).not.toMatch(/auth\.signedIn/);
    const anon = subscribe((await import('./helpers/core.js')).browser(core.url));
    await anon.got.until(() => anon.got.error !== null, 5000, 'an error');
    expect((anon.got.error as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
    anon.stop();
  });

  it('shows activity only to roles allowed to see it', async () => {
    const { createUserRepository } = await import('../src/modules/access/users.repository.js');
    const argon2 = (await import('argon2')).default;
    const users = createUserRepository(core.platform.database.db);
    await users.insert(core.platform.database.db, {
      email: 'viewer@example.com',
      name: 'Vera Viewer',
      role: 'viewer',
      passwordHash: await argon2.hash('viewer password 1'),
    });
    const viewer = await signedIn(core, 'viewer@example.com', 'viewer password 1');
    const me = await viewer.client.auth.me.query();
    expect(me.permissions).not.toContain('activity:read');
    const { events } = await viewer.client.events.recent.query({ limit: 50 });
    expect(events).toEqual([]);
    const tab = subscribe(viewer);
    const adminTab = subscribe(admin);
    await new Promise((r) => setTimeout(r, 300));
    await signedIn(core);
    await adminTab.got.until((i) => signInsOf(i, 'admin@example.com').length >= 1, 5000, 'admin sees sign-in');
    await new Promise((r) => setTimeout(r, 300));
    expect(tab.got.items).toEqual([]);
    expect(tab.ended).toBe(false);
    tab.stop();
    adminTab.stop();
  });

  it('closes a session’s open stream within 5 s when the session is revoked', async () => {
    const victim = await signedIn(core);
    const tab = subscribe(victim);
    await new Promise((r) => setTimeout(r, 300));
    expect(core.services.eventStream.openStreams()).toBeGreaterThanOrEqual(1);
    const actor = await admin.client.auth.logoutOthers.mutate();
    expect(actor.revoked).toBeGreaterThanOrEqual(1);
    const t0 = Date.now();
    await tab.got.until(() => tab.ended, 5000, 'the revoked stream to end');
    expect(Date.now() - t0).toBeLessThan(5000);
    const err = tab.got.error as TRPCClientError<never> | null;
    if (err) expect(err.message).toMatch(/session has ended|Sign in/);
    tab.stop();
  });
});

describe('several core processes', () => {
  it('fan events out through Redis: a sign-in on core 1 reaches a stream on core 2', async () => {
    const second = await startCore({}, { databaseUrl: core.stores.databaseUrl, redisUrl: core.stores.redisUrl });
    try {
      const viaSecond = (await import('./helpers/core.js')).browser(second.url);
      await viaSecond.client.auth.login.mutate({
        email: 'admin@example.com',
        password: 'correct horse battery staple',
      });
      const tab = subscribe(viaSecond);
      await new Promise((r) => setTimeout(r, 300));
      const b = await signedIn(core);
      const me = await b.client.auth.me.query();
      await tab.got.until(
        (i) => i.some((e) => e.topic === 'auth.signedIn' && e.data.user.id === me.user.id),
        5000,
        'cross-process event',
      );
      tab.stop();

      // A session cached by core 2 stops working there as soon as core 1 revokes it.
      expect((await viaSecond.client.auth.me.query()).user.email).toBe('admin@example.com');
      await b.client.auth.logoutOthers.mutate();
      await waitFor(
        () =>
          viaSecond.client.auth.me.query().then(
            () => false,
            (err) => err instanceof TRPCClientError && err.data?.code === 'UNAUTHORIZED',
          ),
        1000,
        'core 2 to refuse the revoked session',
      );
    } finally {
      await second.close();
    }
  });
});
