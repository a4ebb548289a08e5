import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Actor,
  can,
  guestGrantable,
  type Permission,
  permissions,
  rolePermissions,
  roles,
  tokenExcluded,
} from '../src/modules/access/permissions.js';
import { createContext } from '../src/trpc/context.js';
import { createCallerFactory } from '../src/trpc/init.js';
import { appRouter } from '../src/trpc/router.js';
import { startCore, type TestCore } from './helpers/core.js';

// Walks the whole router: every procedure declares a permission, and each one is allowed
// or denied for every role exactly as the permission table says.

type Proc = { _def: { meta?: { permission?: string; userOnly?: boolean }; type: string } };
const procedures = Object.entries((appRouter._def as unknown as { procedures: Record<string, Proc> }).procedures);

let core: TestCore;
beforeAll(async () => {
  core = await startCore();
});
afterAll(() => core.close());

function callerAs(actor: Actor | null) {
  const ctx = createContext({
    services: core.services,
    log: core.platform.log,
    resHeaders: new Headers(),
    req: { ip: '127.0.0.1', userAgent: 'test', requestId: 'test', secure: false, sessionToken: undefined },
  });
  ctx.getActor = async () => actor;
  return createCallerFactory(appRouter)(ctx);
}

async function outcome(actor: Actor | null, path: string): Promise<string> {
  const caller = callerAs(actor) as unknown as Record<string, Record<string, (input?: unknown) => Promise<unknown>>>;
  const [group = '', name = ''] = path.split('.');
  try {
    const result = await caller[group]?.[name]?.(undefined);
    if (result && typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
      const it = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      await it.return?.();
    }
    return 'allowed';
  } catch (err) {
    const code = err instanceof TRPCError ? err.code : 'ERROR';
    return code === 'UNAUTHORIZED' || code === 'FORBIDDEN' ? code : 'allowed';
  }
}

describe('the router', () => {
  it('has procedures', () => {
    expect(procedures.length).toBeGreaterThan(5);
  });

  it.each(procedures)('%s declares a permission', (_path, proc) => {
    expect(proc._def.meta?.permission, 'use publicProcedure or can(permission)').toBeTruthy();
  });

  const actor = (role: (typeof roles)[number]): Actor => ({
    kind: 'user',
    userId: '00000000-0000-0000-0000-000000000000',
    sessionId: '00000000-0000-0000-0000-000000000000',
    email: `${role}@example.com`,
    name: role,
    role,
    reauthAt: new Date(),
  });

  // A guest link holding every grantable scope, and an admin's token holding every
  // permission a token may hold: what they may call is the table minus user-only procedures.
  const guest: Actor = {
    kind: 'guest',
    linkId: '00000000-0000-0000-0000-000000000001',
    guestSessionId: '00000000-0000-0000-0000-000000000002',
    label: 'matrix',
    permissions: [...guestGrantable],
    nodeScope: null,
    expiresAt: new Date(Date.now() + 3600_000),
  };
  const token: Actor = {
    kind: 'token',
    tokenId: '00000000-0000-0000-0000-000000000003',
    tokenName: 'matrix',
    userId: '00000000-0000-0000-0000-000000000000',
    email: 'admin@example.com',
    name: 'admin',
    role: 'admin',
    permissions: permissions.filter((p) => !tokenExcluded.includes(p)),
    nodeScope: null,
  };

  it.each(procedures)(
    '%s: guests and API tokens reach exactly their scope, never user-only procedures',
    async (path, proc) => {
      const { permission, userOnly } = proc._def.meta ?? {};
      for (const [name, a] of [
        ['guest', guest],
        ['token', token],
      ] as const) {
        const expected =
          permission === 'public' ? 'allowed' : !userOnly && can(a, permission as Permission) ? 'allowed' : 'FORBIDDEN';
        expect(await outcome(a, path), `${name} on ${path}`).toBe(expected);
      }
    },
  );

  it.each(procedures)('%s: allow/deny for anonymous and every role follows the table', async (path, proc) => {
    const permission = proc._def.meta?.permission;
    expect(await outcome(null, path)).toBe(permission === 'public' ? 'allowed' : 'UNAUTHORIZED');
    for (const role of roles) {
      const expected =
        permission === 'public' || rolePermissions[role].includes(permission as never) ? 'allowed' : 'FORBIDDEN';
      expect(await outcome(actor(role), path), `${role} on ${path}`).toBe(expected);
    }
  });
});
