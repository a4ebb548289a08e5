import { describe, expect, it } from 'vitest';
import { can, permissions, rolePermissions, roles } from './permissions.js';

const actor = (role: (typeof roles)[number]) =>
  ({ kind: 'user', userId: 'u', sessionId: 's', email: 'e', name: 'n', role, reauthAt: null }) as const;

describe('permission table', () => {
  it('denies anonymous callers everything', () => {
    for (const p of permissions) expect(can(null, p)).toBe(false);
  });
  it('gives admins everything', () => {
    for (const p of permissions) expect(can(actor('admin'), p)).toBe(true);
  });
  it('keeps everyone-else activity private and names only known permissions', () => {
    expect(can(actor('operator'), 'activity:read')).toBe(false);
    expect(can(actor('viewer'), 'activity:read')).toBe(false);
    for (const r of roles) for (const p of rolePermissions[r]) expect(permissions).toContain(p);
  });
});

describe('node scope', () => {
  const web = { nodeId: 'n-web', labels: ['web', 'prod'] };
  const db = { nodeId: 'n-db', labels: ['db'] };
  const base = { kind: 'user', userId: 'u', sessionId: 's', email: 'e', name: 'n', reauthAt: null } as const;

  it('lets an unscoped actor reach every node', () => {
    expect(can({ ...base, role: 'admin' }, 'system:read', web)).toBe(true);
  });
  it('limits a scoped user to listed nodes and labels', () => {
    const scoped = { ...base, role: 'operator' as const, nodeScope: { nodeIds: [], labels: ['web'] } };
    expect(can(scoped, 'system:read', web)).toBe(true);
    expect(can(scoped, 'system:read', db)).toBe(false);
    expect(can({ ...scoped, nodeScope: { nodeIds: ['n-db'], labels: [] } }, 'system:read', db)).toBe(true);
    expect(can(scoped, 'system:read')).toBe(true);
  });
  it('never lets a token reach beyond its owner, or a permission decide over scope', () => {
    const token = {
      kind: 'token' as const,
      tokenId: 't',
      tokenName: 'ci',
      userId: 'u',
      email: 'e',
      name: 'n',
      role: 'admin' as const,
      permissions: ['system:read' as const],
      nodeScope: null,
      ownerNodeScope: { nodeIds: ['n-web'], labels: [] },
    };
    expect(can(token, 'system:read', web)).toBe(true);
    expect(can(token, 'system:read', db)).toBe(false);
    expect(can(token, 'audit:read', web)).toBe(false);
  });
  it('scopes guest links the same way', () => {
    const guest = {
      kind: 'guest' as const,
      linkId: 'l',
      guestSessionId: 'g',
      label: 'auditor',
      permissions: ['system:read' as const],
      nodeScope: { nodeIds: [], labels: ['prod'] },
      expiresAt: new Date(Date.now() + 60_000),
    };
    expect(can(guest, 'system:read', web)).toBe(true);
    expect(can(guest, 'system:read', db)).toBe(false);
  });
});
