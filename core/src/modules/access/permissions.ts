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
  'settings:manage', // instance settings such as the 2FA policy
  'audit:read', // the audit log and its live tail
  'audit:verify', // run chain verification
  'audit:export', // download export bundles
  'nodes:read', // the node list, facts, health and pool state (in scope)
  'nodes:write', // add, edit and remove nodes; their SSH keys
  'nodes:trust', // confirm a node's host key, or accept a changed one
  'nodes:exec', // run the named commands admins defined (fleet runs)
  'nodes:shell', // ad-hoc shell commands on nodes
  'commands:manage', // define the named commands
  'services:read', // systemd units, their status and journals
  'services:write', // start, stop, restart, reload, enable, disable units
  'files:read', // download files from nodes
  'files:write', // upload files to nodes (atomic replace)
] as const;
export type Permission = (typeof permissions)[number];

const everything: readonly Permission[] = permissions;

export const rolePermissions: Record<Role, readonly Permission[]> = {
  admin: everything,
  operator: [
    'profile:manage',
    'system:read',
    'events:read',
    'nodes:read',
    'nodes:exec',
    'services:read',
    'services:write',
    'files:read',
  ],
  viewer: ['profile:manage', 'system:read', 'events:read', 'nodes:read', 'services:read'],
};

/**
 * Which nodes an actor may touch: null means every node; otherwise the listed node ids
 * and any node carrying one of the labels. Users, API tokens (never wider than their
 * owner) and guest links carry one.
 */
export type NodeScope = { nodeIds: string[]; labels: string[] } | null;

/** What a permission is checked against, when it concerns one node. */
export interface NodeTarget {
  nodeId: string;
  labels: readonly string[];
}

export function inScope(scope: NodeScope | undefined, target: NodeTarget): boolean {
  if (!scope) return true;
  return scope.nodeIds.includes(target.nodeId) || target.labels.some((l) => scope.labels.includes(l));
}

export interface UserActor {
  kind: 'user';
  userId: string;
  sessionId: string;
  email: string;
  name: string;
  role: Role;
  /** When this session last proved the password (sign-in counts); sensitive actions need it recent. */
  reauthAt: Date | null;
  nodeScope?: NodeScope;
  /** The instance requires 2FA of this user, who has not enrolled yet: only their profile is open. */
  mustEnrol2fa?: boolean;
}

/** A personal API token acting for its owner, limited to the permissions it was given. */
export interface TokenActor {
  kind: 'token';
  tokenId: string;
  tokenName: string;
  userId: string;
  email: string;
  name: string;
  role: Role;
  permissions: readonly Permission[];
  /** The token's own scope and its owner's both apply. */
  nodeScope?: NodeScope;
  ownerNodeScope?: NodeScope;
}
/** The principal of a guest link: read-only verbs it was granted, until it expires. */
export interface GuestActor {
  kind: 'guest';
  linkId: string;
  guestSessionId: string;
  label: string;
  permissions: readonly Permission[];
  nodeScope?: NodeScope;
  expiresAt: Date;
}

export type Actor = UserActor | GuestActor | TokenActor;

/**
 * What a guest link may ever grant: read-only verbs. Writing, terminals, exec, deploys,
 * secrets and creating links are out of reach whatever a link row says.
 */
export const guestGrantable = [
  'audit:read',
  'audit:verify',
  'audit:export',
  'system:read',
  'nodes:read',
] as const satisfies readonly Permission[];
/** Every guest may hold its one live stream (events are still filtered per permission). */
const guestImplicit: readonly Permission[] = ['events:read'];

/**
 * The one answer to "may this actor do this (to this node)?". Without a target it says
 * whether the actor holds the permission at all; with one, also whether the node is in
 * the actor's scope.
 */
export function can(actor: Actor | null, permission: Permission, target?: NodeTarget): boolean {
  if (!actor) return false;
  let held: boolean;
  if (actor.kind === 'guest') {
    held =
      guestImplicit.includes(permission) ||
      (actor.permissions.includes(permission) && (guestGrantable as readonly Permission[]).includes(permission));
  } else {
    const byRole = rolePermissions[actor.role].includes(permission);
    held = actor.kind === 'token' ? byRole && actor.permissions.includes(permission) : byRole;
  }
  if (!held || !target) return held;
  if (actor.kind === 'token' && !inScope(actor.ownerNodeScope, target)) return false;
  return inScope(actor.nodeScope, target);
}

/** What a token may be given: its owner's permissions, never account management. */
export const tokenExcluded: readonly Permission[] = [
  'profile:manage',
  'users:manage',
  'guests:manage',
  'settings:manage',
];

export function permissionsOf(actor: Actor): Permission[] {
  return permissions.filter((p) => can(actor, p));
}

/** A stable key for the session behind an actor (streams and caches are keyed by it). */
export const sessionKeyOf = (actor: Actor) =>
  actor.kind === 'user' ? actor.sessionId : actor.kind === 'guest' ? actor.guestSessionId : `token:${actor.tokenId}`;

/** How the audit log names an actor. */
export function actorRef(actor: Actor | null) {
  if (!actor) return { type: 'anonymous' as const, id: null, name: 'anonymous' };
  if (actor.kind === 'guest') return { type: 'guest' as const, id: actor.linkId, name: `guest link “${actor.label}”` };
  if (actor.kind === 'token')
    return { type: 'token' as const, id: actor.tokenId, name: `${actor.name} (token “${actor.tokenName}”)` };
  return { type: 'user' as const, id: actor.userId, name: actor.name };
}
