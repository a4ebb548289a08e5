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
