import { createHash, randomBytes, randomInt } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { ConflictError, RateLimitedError, UnauthenticatedError, ValidationError } from '../../errors.js';
import { annotateAudit } from '../../platform/audit-context.js';
import type { Database } from '../../platform/db/client.js';
import type { EventBus } from '../../platform/events/bus.js';
import type { Redis } from '../../platform/redis.js';
import type { Vault } from '../../platform/vault.js';
import type { Role, UserActor } from './permissions.js';
import type { TwoFactorRepository } from './two-factor.repository.js';

// TOTP second factor (RFC 6238, 30 s steps, ±1 step accepted), secrets sealed by the
// vault, codes never accepted twice, ten one-time recovery codes stored hashed, and an
// instance policy requiring 2FA for admins or for everyone.

export type TwoFactorPolicy = 'off' | 'admins' | 'all';
const hash = (s: string) => createHash('sha256').update(s).digest('hex');
const sealContext = (userId: string) => `users:${userId}:totp`;
const challengeSeconds = 300;
const maxAttempts = 5;
/** The TOTP time step a valid code belongs to (otplib reports it for TOTP), else null. */
const stepOf = (r: { valid: boolean }) => {
  const step = (r as { timeStep?: unknown }).timeStep;
  return r.valid && typeof step === 'number' ? step : null;
};
const normalizeRecovery = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');

export function createTwoFactorService(d: {
  db: Database;
  repo: TwoFactorRepository;
  vault: Vault;
  redis: Redis;
  events: EventBus;
  issuer: string;
}) {
  let policy: { value: TwoFactorPolicy; at: number } | null = null;

  async function currentPolicy(): Promise<TwoFactorPolicy> {
    if (policy && Date.now() - policy.at < 5000) return policy.value;
    const v = await d.repo.getSetting('twoFactorPolicy');
    const value: TwoFactorPolicy = v === 'admins' || v === 'all' ? v : 'off';
    policy = { value, at: Date.now() };
    return value;
  }

  async function checkTotp(userId: string, secretEnc: string, code: string): Promise<boolean> {
    if (!/^\d{6}$/.test(code)) return false;
    const secret = d.vault.open(secretEnc, sealContext(userId));
    const step = stepOf(await verify({ secret, token: code, epochTolerance: 30 }));
    return step !== null && d.repo.acceptStep(userId, step);
  }

  /** A TOTP code or an unused recovery code of the user. */
  async function checkCode(userId: string, code: string): Promise<'totp' | 'recovery' | null> {
    const state = await d.repo.state(userId);
    if (!state?.secretEnc) return null;
    const trimmed = code.trim();
    if (/^\d{6}$/.test(trimmed)) return (await checkTotp(userId, state.secretEnc, trimmed)) ? 'totp' : null;
    const recovery = normalizeRecovery(trimmed);
    if (recovery.length !== 10) return null;
    return (await d.repo.useRecoveryCode(userId, hash(recovery))) ? 'recovery' : null;
  }

  return {
    currentPolicy,

    /** Whether this user must enrol before doing anything else. */
    async mustEnrol(role: Role, enabled: boolean): Promise<boolean> {
      if (enabled) return false;
      const p = await currentPolicy();
      return p === 'all' || (p === 'admins' && role === 'admin');
    },

    async status(actor: UserActor) {
      const state = await d.repo.state(actor.userId);
      return {
        enabled: Boolean(state?.enabledAt),
        enabledAt: state?.enabledAt?.toISOString() ?? null,
        recoveryCodesLeft: state?.enabledAt ? await d.repo.recoveryCodesLeft(actor.userId) : 0,
        policy: await currentPolicy(),
      };
    },

    /** Starts enrolment: a new secret (pending until confirmed) as a QR code and text. */
    async begin(actor: UserActor) {
      const state = await d.repo.state(actor.userId);
      if (state?.enabledAt) throw new ConflictError('Two-factor authentication is already on.');
      const secret = generateSecret();
      await d.repo.setPending(actor.userId, d.vault.seal(secret, sealContext(actor.userId)));
      const uri = generateURI({ issuer: d.issuer, label: actor.email, secret });
      return { secret, uri, qrSvg: await QRCode.toString(uri, { type: 'svg', margin: 1 }) };
    },

    /** Confirms enrolment with a first code; returns the recovery codes, shown once. */
    async enable(actor: UserActor, code: string) {
      const state = await d.repo.state(actor.userId);
      if (state?.enabledAt) throw new ConflictError('Two-factor authentication is already on.');
      if (!state?.pendingEnc) throw new ValidationError('Start enrolment first.');
      const secret = d.vault.open(state.pendingEnc, sealContext(actor.userId));
      const step = /^\d{6}$/.test(code) ? stepOf(await verify({ secret, token: code, epochTolerance: 30 })) : null;
      if (step === null) {
        throw new ValidationError('That code is not right. Check the time on your device and try the next one.', {
          field: 'code',
        });
      }
      const codes = Array.from({ length: 10 }, () =>
        Array.from({ length: 10 }, () => 'abcdefghjkmnpqrstuvwxyz23456789'[randomInt(31)]).join(''),
      );
      await d.db.transaction((tx) =>
        d.repo.enable(tx, actor.userId, state.pendingEnc as string, step, codes.map(hash)),
      );
      annotateAudit({ target: { type: 'user', id: actor.userId, name: actor.email } });
      return { recoveryCodes: codes.map((c) => `${c.slice(0, 5)}-${c.slice(5)}`) };
    },

    async disable(actor: UserActor) {
      const state = await d.repo.state(actor.userId);
      if (!state?.enabledAt) throw new ConflictError('Two-factor authentication is not on.');
      if (await this.mustEnrol(actor.role, false)) {
        throw new ConflictError('Two-factor authentication is required for your account by the instance policy.');
      }
      annotateAudit({ target: { type: 'user', id: actor.userId, name: actor.email } });
      await d.db.transaction((tx) => d.repo.disable(tx, actor.userId));
    },

    async setPolicy(value: TwoFactorPolicy) {
      annotateAudit({ target: { type: 'setting', id: 'twoFactorPolicy', name: value } });
      await d.db.transaction((tx) => d.repo.putSetting(tx, 'twoFactorPolicy', value));
      policy = { value, at: Date.now() };
    },

    checkCode,

    /** After a correct password: a short-lived challenge that a code turns into a session. */
    async openChallenge(userId: string): Promise<string> {
      const challenge = randomBytes(32).toString('base64url');
      await d.redis.set(`2fa:${hash(challenge)}`, JSON.stringify({ userId, attempts: 0 }), 'EX', challengeSeconds);
      return challenge;
    },

    /** Resolves a challenge with a code; wrong codes count, and a challenge allows 5 tries. */
    async completeChallenge(challenge: string, code: string): Promise<{ userId: string; method: 'totp' | 'recovery' }> {
      const key = `2fa:${hash(challenge)}`;
      const raw = await d.redis.get(key);
      if (!raw) throw new UnauthenticatedError('This sign-in has expired. Enter your password again.');
      const state = JSON.parse(raw) as { userId: string; attempts: number };
      if (state.attempts >= maxAttempts) {
        await d.redis.del(key);
        throw new RateLimitedError('Too many wrong codes. Sign in again.', 60);
      }
      const method = await checkCode(state.userId, code);
      if (!method) {
        await d.redis.set(key, JSON.stringify({ ...state, attempts: state.attempts + 1 }), 'KEEPTTL');
        annotateAudit({ target: { type: 'user', id: state.userId, name: null } });
        throw new UnauthenticatedError('That code is not right.');
      }
      await d.redis.del(key);
      return { userId: state.userId, method };
    },
  };
}
export type TwoFactorService = ReturnType<typeof createTwoFactorService>;
