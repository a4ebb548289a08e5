// The one declarative table of what each role may do. Entry points name a permission;
// `can()` is the only function that answers whether an actor holds it.

export const roles = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'profile:manage', // own password and sessions
  'system:read', // core health and version
  'events:read', // the live event stream (each event is filtered by its own permission)
  'activity:read', // sign-ins, sign-outs and account changes of everyone
  'users:manage', // invite users, change roles, disable, force sign-out
  'audit:read', // the audit log and its live tail
  'audit:verify', // run chain verification
  'audit:export', // download export bundles
] as const;
export type Permission = (typeof permissions)[number];

const everything: readonly Permission[] = permissions;

export const rolePermissions: Record<Role, readonly Permission[]> = {
  admin: everything,
  operator: ['profile:manage', 'system:read', 'events:read'],
  viewer: ['profile:manage', 'system:read', 'events:read'],
};

export interface UserActor {
  kind: 'user';
  userId: string;
  sessionId: string;
  email: string;
  name: string;
  role: Role;
}
export type Actor = UserActor;

export function can(actor: Actor | null, permission: Permission): boolean {
  if (!actor) return false;
  return rolePermissions[actor.role].includes(permission);
}

export function permissionsOf(actor: Actor): Permission[] {
  return [...rolePermissions[actor.role]];
}
