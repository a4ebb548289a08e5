import { createHash, randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { annotateAudit } from '../../platform/audit-context.js';
import type { Database } from '../../platform/db/client.js';
import type { EventBus } from '../../platform/events/bus.js';
import type { Logger } from '../../platform/logger.js';
import type { InviteRepository } from './invites.repository.js';
import type { NodeScope, Role, UserActor } from './permissions.js';
import type { SessionRepository } from './sessions.repository.js';
import type { UserRepository } from './users.repository.js';

// Account administration: invitations, roles, disabling and forced sign-out. The one rule
// that must never break: there is always at least one enabled admin.

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const iso = (d: Date | null) => d?.toISOString() ?? null;

export function createUserAdminService(d: {
  db: Database;
  users: UserRepository;
  sessions: SessionRepository;
  invites: InviteRepository;
  events: EventBus;
  log: Logger;
  inviteSeconds: number;
}) {
  const publish: EventBus['publish'] = (topic, data) =>
    d.events.publish(topic, data).catch((err) => {
      d.log.warn({ err: (err as Error).message, topic }, 'could not publish event');
      return '';
    });
  const by = (a: UserActor) => ({ id: a.userId, name: a.name, email: a.email });

  async function target(userId: string) {
    const user = await d.users.byId(userId);
    if (!user) throw new NotFoundError('No such user.');
    annotateAudit({ target: { type: 'user', id: user.id, name: user.email } });
    return user;
  }

  /** Ends every session of a user, everywhere (open streams included). */
  async function endSessions(tx: Database, userId: string) {
    return d.sessions.revokeAllOfUser(tx, userId);
  }

  async function keepAnAdmin(tx: Database, userId: string) {
    const admins = await d.users.lockEnabledAdmins(tx);
    if (admins.length === 1 && admins[0] === userId) {
      throw new ConflictError('This is the last enabled admin; make someone else admin first.');
    }
  }

  return {
    async list() {
      const rows = await d.users.list();
      return rows.map((u) => ({
        id: u.id,
        email: u.email,
        name: u.name,
        role: u.role,
        nodeScope: u.nodeScope ?? null,
        disabled: u.disabledAt !== null,
        createdAt: u.createdAt.toISOString(),
        lastSeenAt: iso(u.lastSeenAt),
        activeSessions: u.activeSessions,
      }));
    },

    async invite(actor: UserActor, input: { email: string; role: Role }) {
      const email = input.email.toLowerCase();
      annotateAudit({ target: { type: 'invite', id: null, name: email }, details: { role: input.role } });
      if (await d.users.findCredentials(email)) throw new ConflictError('A user with this email already exists.');
      const token = randomBytes(32).toString('base64url');
      const row = await d.db.transaction((tx) =>
        d.invites.insert(tx, {
          email,
          role: input.role,
          tokenHash: hashToken(token),
          createdBy: actor.userId,
          expiresAt: new Date(Date.now() + d.inviteSeconds * 1000),
        }),
      );
      await publish('users.invited', { email, role: input.role, by: by(actor) });
      // The token is shown once, to the admin who invites; only its hash is kept.
      return { id: row.id, token, expiresAt: row.expiresAt.toISOString() };
    },

    async invites() {
      const rows = await d.invites.pending();
      return rows.map((i) => ({ ...i, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString() }));
    },

    async revokeInvite(actor: UserActor, id: string) {
      annotateAudit({ target: { type: 'invite', id, name: null } });
      const ok = await d.db.transaction((tx) => d.invites.revoke(tx, id));
      if (!ok) throw new NotFoundError('No such pending invitation.');
      void actor;
    },

    /** A role change ends the user's sessions, so the new permissions apply everywhere at once. */
    async setRole(actor: UserActor, userId: string, role: Role) {
      const user = await target(userId);
      if (user.role === role) return { sessionsEnded: 0 };
      const ended = await d.db.transaction(async (tx) => {
        if (user.role === 'admin') await keepAnAdmin(tx, userId);
        await d.users.setRole(tx, userId, role);
        return endSessions(tx, userId);
      });
      if (ended.length) await publish('sessions.revoked', { sessionIds: ended });
      await publish('users.changed', {
        user: { id: user.id, name: user.name, email: user.email },
        change: 'role',
        role,
        by: by(actor),
      });
      return { sessionsEnded: ended.length };
    },

    async setDisabled(actor: UserActor, userId: string, disabled: boolean) {
      const user = await target(userId);
      if (disabled && userId === actor.userId) throw new ValidationError('You cannot disable your own account.');
      const ended = await d.db.transaction(async (tx) => {
        if (disabled && user.role === 'admin') await keepAnAdmin(tx, userId);
        await d.users.setDisabled(tx, userId, disabled);
        return disabled ? endSessions(tx, userId) : [];
      });
      if (ended.length) await publish('sessions.revoked', { sessionIds: ended });
      await publish('users.changed', {
        user: { id: user.id, name: user.name, email: user.email },
        change: disabled ? 'disabled' : 'enabled',
        by: by(actor),
      });
      return { sessionsEnded: ended.length };
    },

    /** Limits (or, with null, unlimits) the nodes a user can reach, from their next request on. */
    async setNodeScope(actor: UserActor, userId: string, nodeScope: NodeScope) {
      await target(userId);
      annotateAudit({ details: { nodeScope } });
      await d.db.transaction((tx) => d.users.setNodeScope(tx, userId, nodeScope));
      // Every process drops the user's cached sessions, so the new scope applies at once.
      const open = await d.sessions.listOfUser(userId);
      if (open.length) await publish('sessions.refresh', { sessionIds: open.map((s) => s.id) });
      void actor;
    },

    async forceSignOut(actor: UserActor, userId: string) {
      const user = await target(userId);
      const ended = await d.db.transaction((tx) => endSessions(tx, userId));
      if (ended.length) await publish('sessions.revoked', { sessionIds: ended });
      await publish('users.changed', {
        user: { id: user.id, name: user.name, email: user.email },
        change: 'signedOut',
        by: by(actor),
      });
      return { sessionsEnded: ended.length };
    },
  };
}
export type UserAdminService = ReturnType<typeof createUserAdminService>;
