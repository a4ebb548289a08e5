import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../errors.js';
import { annotateAudit } from '../../platform/audit-context.js';
import type { Database } from '../../platform/db/client.js';
import type { EventBus } from '../../platform/events/bus.js';
import type { Logger } from '../../platform/logger.js';
import type {
  acceptInviteInput,
  changePasswordInput,
  createAdminInput,
  loginInput,
  setupInput,
} from './access.schemas.js';
import type { InviteRepository } from './invites.repository.js';
import type { LoginLimiter } from './login-limiter.js';
import { passwordProblem } from './password-policy.js';
import type { Role, UserActor } from './permissions.js';
import type { SessionRepository } from './sessions.repository.js';
import type { TwoFactorService } from './two-factor.service.js';
import type { UserRepository } from './users.repository.js';

export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
}
/** A new session: the token goes into the cookie and nowhere else. */
export interface IssuedSession {
  token: string;
  maxAgeSeconds: number;
  actor: UserActor;
}

const tokenBytes = 32;
const touchEverySeconds = 60;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(tokenBytes).toString('base64url');
const userRef = (u: { userId: string; name: string; email: string }) => ({
  id: u.userId,
  name: u.name,
  email: u.email,
});

// Authenticated requests hit a short per-process cache of sessions. Revocation clears it at
// once in the revoking process and, through the sessions.revoked event, in every other one;
// the TTL bounds how long a lost event (Redis down) could keep a revoked session alive.
const cacheMax = 10_000;
/** How long a password confirmation unlocks sensitive actions. */
export const reauthWindowMs = 5 * 60_000;
interface CachedSession {
  cachedUntil: number;
  expiresAt: number;
  lastSeenAt: number;
  actor: UserActor;
}

export function createAuthService(d: {
  db: Database;
  users: UserRepository;
  sessions: SessionRepository;
  invites: InviteRepository;
  twoFactor: Pick<TwoFactorService, 'openChallenge' | 'completeChallenge' | 'mustEnrol' | 'checkCode'>;
  events: EventBus;
  limiter: LoginLimiter;
  log: Logger;
  session: { idleSeconds: number; maxSeconds: number; cacheMs: number };
  setupTokenSeconds: number;
}) {
  // Unknown emails still cost one argon2 verification, so timing does not reveal accounts.
  let dummyHash: Promise<string> | null = null;
  const dummy = () => {
    dummyHash ??= argon2.hash(randomBytes(16).toString('hex'), { type: argon2.argon2id });
    return dummyHash;
  };

  const cache = new Map<string, CachedSession>();

  const publish: EventBus['publish'] = async (topic, data) => {
    if (topic === 'sessions.revoked') forget((data as { sessionIds: string[] }).sessionIds);
    return d.events.publish(topic, data).catch((err) => {
      // The change is committed; a lost activity event must not turn it into an error.
      d.log.warn({ err: (err as Error).message, topic }, 'could not publish event');
      return '';
    });
  };
  const forget = (sessionIds: string[]) => {
    const gone = new Set(sessionIds);
    for (const [k, v] of cache) if (gone.has(v.actor.sessionId)) cache.delete(k);
  };

  async function issueSession(
    tx: Database,
    user: { id: string; email: string; name: string; role: UserActor['role'] },
    req: RequestInfo,
  ) {
    const token = newToken();
    const row = await d.sessions.insert(tx, {
      userId: user.id,
      tokenHash: hashToken(token),
      ip: req.ip,
      userAgent: req.userAgent?.slice(0, 512) ?? null,
      expiresAt: new Date(Date.now() + d.session.maxSeconds * 1000),
    });
    const actor: UserActor = {
      kind: 'user',
      userId: user.id,
      sessionId: row.id,
      email: user.email,
      name: user.name,
      role: user.role,
      reauthAt: new Date(),
    };
    return { token, maxAgeSeconds: d.session.maxSeconds, actor } satisfies IssuedSession;
  }

  async function hashPassword(password: string, context: { email?: string; name?: string }) {
    const problem = passwordProblem(password, context);
    if (problem) throw new ValidationError(problem, { field: 'password' });
    return argon2.hash(password, { type: argon2.argon2id });
  }

  async function createUser(input: z.infer<typeof createAdminInput>, role: Role, tx: Database) {
    const passwordHash = await hashPassword(input.password, input);
    if (await d.users.findCredentials(input.email, tx)) {
      throw new ConflictError('A user with this email already exists.');
    }
    return d.users.insert(tx, { email: input.email.toLowerCase(), name: input.name, passwordHash, role });
  }

  async function finishSignIn(
    user: { id: string; email: string; name: string; role: Role },
    req: RequestInfo,
    previousToken?: string,
  ): Promise<IssuedSession> {
    // Rotation: the session the browser came with (if any) ends with this sign-in.
    const previous = previousToken ? await d.sessions.findByTokenHash(hashToken(previousToken)) : null;
    const { issued, rotated } = await d.db.transaction(async (tx) => {
      const rotated = previous ? await d.sessions.revoke(tx, previous.sessionId) : [];
      return { issued: await issueSession(tx, user, req), rotated };
    });
    if (rotated.length) await publish('sessions.revoked', { sessionIds: rotated });
    await publish('auth.signedIn', { user: userRef(issued.actor), ip: req.ip });
    return issued;
  }

  return {
    async needsSetup(): Promise<boolean> {
      return (await d.users.count()) === 0;
    },

    /** A fresh one-time setup token while no user exists; older unused tokens die. */
    async issueSetupToken(): Promise<{ token: string; expiresAt: Date } | null> {
      if ((await d.users.count()) > 0) return null;
      const token = newToken();
      const expiresAt = new Date(Date.now() + d.setupTokenSeconds * 1000);
      await d.sessions.replaceSetupToken(hashToken(token), expiresAt);
      return { token, expiresAt };
    },

    async setup(input: z.infer<typeof setupInput>, req: RequestInfo): Promise<IssuedSession> {
      const result = await d.db.transaction(async (tx) => {
        if (!(await d.sessions.consumeSetupToken(tx, hashToken(input.token)))) {
          throw new ForbiddenError('This setup link is invalid, expired or already used.');
        }
        if ((await d.users.count(tx)) > 0) throw new ConflictError('serverbox already has an admin.');
        const user = await createUser(input, 'admin', tx);
        annotateAudit({
          actor: { type: 'user', id: user.id, name: user.name },
          target: { type: 'user', id: user.id, name: user.email },
        });
        return { user, issued: await issueSession(tx, user, req) };
      });
      await publish('users.created', { user: userRef(result.issued.actor), role: 'admin', via: 'setup' });
      await publish('auth.signedIn', { user: userRef(result.issued.actor), ip: req.ip });
      return result.issued;
    },

    /** Accepting an invitation creates the account with the invited role and signs it in. */
    async acceptInvite(input: z.infer<typeof acceptInviteInput>, req: RequestInfo): Promise<IssuedSession> {
      const result = await d.db.transaction(async (tx) => {
        const invite = await d.invites.consume(tx, hashToken(input.token));
        if (!invite) throw new ForbiddenError('This invitation is invalid, expired, revoked or already used.');
        const user = await createUser(
          { email: invite.email, name: input.name, password: input.password },
          invite.role,
          tx,
        );
        annotateAudit({
          actor: { type: 'user', id: user.id, name: user.name },
          target: { type: 'user', id: user.id, name: user.email },
          details: { role: invite.role, inviteId: invite.id },
        });
        return { issued: await issueSession(tx, user, req), role: invite.role };
      });
      await publish('users.created', { user: userRef(result.issued.actor), role: result.role, via: 'invite' });
      await publish('auth.signedIn', { user: userRef(result.issued.actor), ip: req.ip });
      return result.issued;
    },

    /** The CLI path: operators with shell access to the core may create admins directly. */
    async createAdmin(input: z.infer<typeof createAdminInput>) {
      const user = await d.db.transaction((tx) => createUser(input, 'admin', tx));
      await publish('users.created', {
        user: { id: user.id, name: user.name, email: user.email },
        role: 'admin',
        via: 'cli',
      });
      return { id: user.id, email: user.email, name: user.name, role: user.role };
    },

    async login(input: z.infer<typeof loginInput>, req: RequestInfo, previousToken?: string): Promise<IssuedSession> {
      const key = { email: input.email.toLowerCase(), ip: req.ip ?? 'unknown' };
      annotateAudit({ target: { type: 'user', id: null, name: key.email.slice(0, 254) } });
      try {
        await d.limiter.check(key);
      } catch (err) {
        await publish('auth.signInFailed', { email: key.email.slice(0, 254), ip: req.ip, reason: 'rate-limited' });
        throw err;
      }
      const user = await d.users.findCredentials(input.email);
      const ok = user
        ? await argon2.verify(user.passwordHash, input.password)
        : await argon2.verify(await dummy(), input.password).then(() => false);
      if (!user || !ok || user.disabledAt) {
        await d.limiter.failed(key);
        await publish('auth.signInFailed', { email: key.email.slice(0, 254), ip: req.ip, reason: 'credentials' });
        // One answer for unknown email, wrong password and disabled account.
        throw new UnauthenticatedError('Email or password is incorrect.');
      }
      await d.limiter.succeeded(key);
      annotateAudit({
        actor: { type: 'user', id: user.id, name: user.name },
        target: { type: 'user', id: user.id, name: user.email },
      });
      if (user.totpEnabledAt) {
        // The password was right; the session waits for the second factor. The challenge
        // travels in the error's details (the sign-in is not complete, so it is no success).
        throw new UnauthenticatedError('Enter the code from your authenticator app.', {
          twoFactorRequired: true,
          challenge: await d.twoFactor.openChallenge(user.id),
        });
      }
      return finishSignIn(user, req, previousToken);
    },

    /** The second step of signing in with 2FA: a TOTP or recovery code for the challenge. */
    async loginTwoFactor(input: { challenge: string; code: string }, req: RequestInfo, previousToken?: string) {
      const { userId, method } = await d.twoFactor.completeChallenge(input.challenge, input.code);
      const user = await d.users.byId(userId);
      if (!user || user.disabledAt) throw new UnauthenticatedError('Email or password is incorrect.');
      annotateAudit({
        actor: { type: 'user', id: user.id, name: user.name },
        target: { type: 'user', id: user.id, name: user.email },
        details: { secondFactor: method },
      });
      return finishSignIn(user, req, previousToken);
    },

    /** The actor behind a session token, or null when it is unknown, revoked or expired. */
    async authenticate(token: string | undefined): Promise<UserActor | null> {
      if (!token || token.length > 256) return null;
      const tokenHash = hashToken(token);
      const now = Date.now();
      let hit = cache.get(tokenHash);
      if (!hit || hit.cachedUntil <= now) {
        const row = await d.sessions.findByTokenHash(tokenHash);
        if (!row || row.disabledAt) {
          cache.delete(tokenHash);
          return null;
        }
        hit = {
          cachedUntil: now + d.session.cacheMs,
          expiresAt: row.expiresAt.getTime(),
          lastSeenAt: row.lastSeenAt.getTime(),
          actor: {
            kind: 'user',
            userId: row.userId,
            sessionId: row.sessionId,
            email: row.email,
            name: row.name,
            role: row.role,
            reauthAt: row.reauthenticatedAt,
            nodeScope: row.nodeScope ?? null,
            mustEnrol2fa: await d.twoFactor.mustEnrol(row.role, row.totpEnabledAt !== null),
          },
        };
        if (cache.size >= cacheMax) cache.clear();
        cache.set(tokenHash, hit);
      }
      if (hit.expiresAt <= now || hit.lastSeenAt + d.session.idleSeconds * 1000 <= now) {
        cache.delete(tokenHash);
        return null;
      }
      if (now - hit.lastSeenAt > touchEverySeconds * 1000) {
        hit.lastSeenAt = now;
        d.sessions.touch(hit.actor.sessionId).catch(() => {});
      }
      return hit.actor;
    },

    /** Drops revoked sessions from this process's cache (every process hears sessions.revoked). */
    forgetSessions: forget,

    /** Proves the password again, so sensitive actions are allowed for the next minutes. */
    async confirmPassword(actor: UserActor, proof: { password?: string; code?: string }, req: RequestInfo) {
      const key = { email: actor.email, ip: req.ip ?? 'unknown' };
      await d.limiter.check(key);
      const hash = proof.password !== undefined ? await d.users.passwordHash(actor.userId) : null;
      const ok =
        proof.password !== undefined
          ? Boolean(hash) && (await argon2.verify(hash as string, proof.password))
          : proof.code !== undefined && (await d.twoFactor.checkCode(actor.userId, proof.code)) !== null;
      if (!ok) {
        await d.limiter.failed(key);
        throw new ValidationError(proof.password !== undefined ? 'Password is incorrect.' : 'That code is not right.', {
          field: proof.password !== undefined ? 'password' : 'code',
        });
      }
      await d.sessions.markReauthenticated(actor.sessionId);
      forget([actor.sessionId]);
      return { until: new Date(Date.now() + reauthWindowMs).toISOString() };
    },

    /** Whether a session may keep an open stream (revoked, expired or idle sessions may not). */
    async sessionStillValid(sessionId: string): Promise<boolean> {
      return d.sessions.isActive(sessionId, new Date(Date.now() - d.session.idleSeconds * 1000));
    },

    async logout(actor: UserActor) {
      const revoked = await d.db.transaction((tx) => d.sessions.revoke(tx, actor.sessionId));
      await publish('sessions.revoked', { sessionIds: revoked });
      await publish('auth.signedOut', { user: userRef(actor), others: false });
    },

    async logoutOthers(actor: UserActor): Promise<{ revoked: number }> {
      const revoked = await d.db.transaction((tx) => d.sessions.revokeAllOfUser(tx, actor.userId, actor.sessionId));
      if (revoked.length) await publish('sessions.revoked', { sessionIds: revoked });
      await publish('auth.signedOut', { user: userRef(actor), others: true, count: revoked.length });
      return { revoked: revoked.length };
    },

    /** Ends one of the user's other sessions (this one ends with logout). */
    async revokeSession(actor: UserActor, sessionId: string) {
      annotateAudit({ target: { type: 'session', id: sessionId, name: null } });
      if (sessionId === actor.sessionId) throw new ValidationError('Use sign out to end this session.');
      const revoked = await d.db.transaction((tx) => d.sessions.revokeOfUser(tx, actor.userId, sessionId));
      if (revoked.length === 0) throw new NotFoundError('No such active session.');
      await publish('sessions.revoked', { sessionIds: revoked });
      await publish('auth.signedOut', { user: userRef(actor), others: true, count: 1 });
    },

    async listSessions(actor: UserActor) {
      const rows = await d.sessions.listOfUser(actor.userId);
      return rows.map((s) => ({
        id: s.id,
        ip: s.ip,
        userAgent: s.userAgent,
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        current: s.id === actor.sessionId,
      }));
    },

    /** Changing the password ends every other session of the user. */
    async changePassword(actor: UserActor, input: z.infer<typeof changePasswordInput>) {
      annotateAudit({ target: { type: 'user', id: actor.userId, name: actor.email } });
      const current = await d.users.passwordHash(actor.userId);
      if (!current || !(await argon2.verify(current, input.currentPassword))) {
        throw new ValidationError('Current password is incorrect.', { field: 'currentPassword' });
      }
      if (input.newPassword === input.currentPassword) {
        throw new ValidationError('The new password must differ from the current one.', { field: 'newPassword' });
      }
      const hash = await hashPassword(input.newPassword, actor);
      const revoked = await d.db.transaction(async (tx) => {
        await d.users.setPassword(tx, actor.userId, hash);
        return d.sessions.revokeAllOfUser(tx, actor.userId, actor.sessionId);
      });
      if (revoked.length) await publish('sessions.revoked', { sessionIds: revoked });
      await publish('auth.passwordChanged', { user: userRef(actor) });
      return { otherSessionsEnded: revoked.length };
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
