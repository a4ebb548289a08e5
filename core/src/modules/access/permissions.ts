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
  'guests:manage', // create, list and revoke guest links
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
/** The principal of a guest link: read-only verbs it was granted, until it expires. */
export interface GuestActor {
  kind: 'guest';
  linkId: string;
  guestSessionId: string;
  label: string;
  permissions: readonly Permission[];
  expiresAt: Date;
}

export type Actor = UserActor | GuestActor;

/**
 * What a guest link may ever grant: read-only verbs. Writing, terminals, exec, deploys,
 * secrets and creating links are out of reach whatever a link row says.
 */
export const guestGrantable = [
  'audit:read',
  'audit:verify',
  'audit:export',
  'system:read',
] as const satisfies readonly Permission[];
/** Every guest may hold its one live stream (events are still filtered per permission). */
const guestImplicit: readonly Permission[] = ['events:read'];

export function can(actor: Actor | null, permission: Permission): boolean {
  if (!actor) return false;
  if (actor.kind === 'guest') {
    return (
      guestImplicit.includes(permission) ||
      (actor.permissions.includes(permission) && (guestGrantable as readonly Permission[]).includes(permission))
    );
  }
  return rolePermissions[actor.role].includes(permission);
}

export function permissionsOf(actor: Actor): Permission[] {
  return permissions.filter((p) => can(actor, p));
}

/** A stable key for the session behind an actor (streams and caches are keyed by it). */
export const sessionKeyOf = (actor: Actor) => (actor.kind === 'user' ? actor.sessionId : actor.guestSessionId);

/** How the audit log names an actor. */
export function actorRef(actor: Actor | null) {
  if (!actor) return { type: 'anonymous' as const, id: null, name: 'anonymous' };
  if (actor.kind === 'guest') return { type: 'guest' as const, id: actor.linkId, name: `guest link “${actor.label}”` };
  return { type: 'user' as const, id: actor.userId, name: actor.name };
}
