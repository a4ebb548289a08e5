import { initTRPC, TRPCError } from '@trpc/server';
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  isInfrastructureError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from '../errors.js';
import { reauthWindowMs } from '../modules/access/auth.service.js';
import { can as actorCan, actorRef, type Permission } from '../modules/access/permissions.js';
import { type AuditScope, auditContext, redact } from '../platform/audit-context.js';
import { SshError, type SshErrorCode } from '../ssh/ssh-error.js';
import type { Context } from './context.js';

/** Every procedure declares who may call it; a test walks the router to enforce this. */
export interface Meta {
  permission: Permission | 'public';
  /** Only signed-in users (never a guest link or an API token) may call it. */
  userOnly?: boolean;
}

const codeOf = (err: DomainError): TRPC_ERROR_CODE_KEY => {
  if (err instanceof ValidationError) return 'BAD_REQUEST';
  if (err instanceof NotFoundError) return 'NOT_FOUND';
  if (err instanceof ConflictError) return 'CONFLICT';
  if (err instanceof UnauthenticatedError) return 'UNAUTHORIZED';
  if (err instanceof ForbiddenError) return 'FORBIDDEN';
  if (err instanceof RateLimitedError) return 'TOO_MANY_REQUESTS';
  if (err instanceof UnavailableError) return 'SERVICE_UNAVAILABLE';
  return 'INTERNAL_SERVER_ERROR';
};

/** How a failure to reach or use a node reads over the API. */
const sshCodes: Record<SshErrorCode, TRPC_ERROR_CODE_KEY> = {
  unreachable: 'BAD_GATEWAY',
  'auth-failed': 'BAD_GATEWAY',
  'connection-lost': 'BAD_GATEWAY',
  'host-key-unknown': 'PRECONDITION_FAILED',
  'host-key-mismatch': 'PRECONDITION_FAILED',
  'sudo-required': 'PRECONDITION_FAILED',
  timeout: 'GATEWAY_TIMEOUT',
  busy: 'SERVICE_UNAVAILABLE',
  cancelled: 'CLIENT_CLOSED_REQUEST',
  'output-limit': 'PAYLOAD_TOO_LARGE',
};

/** The one place domain and infrastructure errors become tRPC errors. */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) {
    if (err.code === 'INTERNAL_SERVER_ERROR' && err.cause) return toTRPCError(err.cause);
    return err;
  }
  if (err instanceof DomainError) return new TRPCError({ code: codeOf(err), message: err.message, cause: err });
  if (err instanceof SshError) {
    const cause = new DomainError(err.message, {
      ssh: err.code,
      ...(err.details.retryAt ? { retryAt: err.details.retryAt.toISOString() } : {}),
    });
    return new TRPCError({ code: sshCodes[err.code], message: err.message, cause });
  }
  if (isInfrastructureError(err)) {
    return new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'A backing service is unavailable; try again shortly.',
      cause: err as Error,
    });
  }
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal error', cause: err as Error });
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    isDev: false,
    errorFormatter({ shape, error, ctx }) {
      const cause = error.cause;
      const mapped = error.code === 'INTERNAL_SERVER_ERROR' ? toTRPCError(cause ?? error) : error;
      if (mapped.code === 'INTERNAL_SERVER_ERROR') ctx?.log.error({ err: cause ?? error }, 'unhandled error');
      const issues =
        mapped.code === 'BAD_REQUEST' && cause && 'issues' in cause && Array.isArray(cause.issues)
          ? (cause.issues as { path?: PropertyKey[]; message: string }[]).slice(0, 20).map((i) => ({
              path: (i.path ?? []).map(String).join('.'),
              message: i.message,
            }))
          : undefined;
      const domainDetails = mapped.cause instanceof DomainError ? mapped.cause.details : undefined;
      return {
        ...shape,
        code: TRPC_ERROR_CODES_BY_KEY[mapped.code],
        message: mapped.code === 'INTERNAL_SERVER_ERROR' ? 'Internal error' : mapped.message,
        data: {
          code: mapped.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          requestId: ctx?.req.requestId,
          ...(issues ? { issues } : {}),
          ...(domainDetails ? { details: domainDetails } : {}),
        },
      };
    },
    sse: {
      ping: { enabled: true, intervalMs: 10_000 },
      client: { reconnectAfterInactivityMs: 25_000 },
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error);
  return result;
});

const isGuardDenial = (err: TRPCError) => (err.code === 'UNAUTHORIZED' || err.code === 'FORBIDDEN') && !err.cause;

/**
 * Records every mutation (success or failure) and every denial, whatever the procedure.
 * Mutations run inside an audit scope, so the row lands in the change's own transaction
 * when there is one (see modules/audit/audited-db.ts); otherwise it is written here.
 */
const auditTrail = t.middleware(async ({ ctx, path, type, next, getRawInput }) => {
  const scopeFor = async (): Promise<AuditScope> => {
    const actor = await ctx.getActor().catch(() => null);
    return {
      action: path,
      actor: actorRef(actor),
      ip: ctx.req.ip,
      userAgent: ctx.req.userAgent,
      requestId: ctx.req.requestId,
      target: null,
      details: null,
      recorded: false,
      afterCommit: [],
    };
  };
  let scope: AuditScope | null = null;
  // Mutations always; and every request of a guest or an API token, reads included.
  const kind = type !== 'mutation' ? (await ctx.getActor().catch(() => null))?.kind : undefined;
  const guest = kind === 'guest' || kind === 'token';
  if (type === 'mutation' || guest) {
    scope = await scopeFor();
    const input = await getRawInput().catch(() => undefined);
    if (input !== undefined) scope.details = { input: redact(input) };
  }
  const result = scope ? await auditContext.run(scope, () => next()) : await next();
  const denied = !result.ok && isGuardDenial(result.error);
  if (!scope && !denied) return result;
  scope ??= await scopeFor();
  if (!result.ok) {
    const mapped = toTRPCError(result.error);
    scope.details = { ...scope.details, error: { code: mapped.code, message: mapped.message } };
  }
  if (!scope.recorded) {
    await ctx.services.audit
      .record(scope, result.ok ? 'success' : denied ? 'denied' : 'failure')
      .catch((err) => ctx.log.error({ err, action: path }, 'could not write the audit record'));
  }
  for (const f of scope.afterCommit) f();
  return result;
});

const base = t.procedure.use(mapErrors).use(auditTrail);

/** A procedure anyone may call, signed in or not. Say so explicitly. */
export const publicProcedure = base.meta({ permission: 'public' });

/** A procedure that needs an actor (user, token or guest) holding `permission`. */
export function can(permission: Permission) {
  return guarded(permission, false);
}

function guarded(permission: Permission, userOnly: boolean) {
  return base.meta({ permission, userOnly }).use(async ({ ctx, next }) => {
    const actor = await ctx.getActor();
    if (!actor) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue.' });
    if (!actorCan(actor, permission)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `You lack the permission ${permission}.` });
    }
    if (actor.kind === 'user' && actor.mustEnrol2fa && permission !== 'profile:manage') {
      const message = 'Two-factor authentication is required: set it up in Settings › Profile first.';
      throw new TRPCError({
        code: 'FORBIDDEN',
        message,
        cause: new ForbiddenError(message, { twoFactorRequired: true }),
      });
    }
    return next({ ctx: { actor } });
  });
}

/**
 * For sensitive actions (creating guest links or API tokens, changing roles): a user whose
 * session proved the password within the last 5 minutes (signing in counts); otherwise
 * FORBIDDEN with details.reauthRequired, and the dashboard asks for the password.
 */
export function sensitive(permission: Permission) {
  return canUser(permission).use(({ ctx, next }) => {
    const at = ctx.actor.reauthAt?.getTime() ?? 0;
    if (Date.now() - at > reauthWindowMs) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: 'Confirm your password to continue.',
        cause: new ForbiddenError('Confirm your password to continue.', { reauthRequired: true }),
      });
    }
    return next({ ctx: { actor: ctx.actor } });
  });
}

/** Like can(), for procedures only a signed-in user (never a guest or a token) may call. */
export function canUser(permission: Permission) {
  return guarded(permission, true).use(({ ctx, next }) => {
    if (ctx.actor.kind !== 'user')
      throw new TRPCError({ code: 'FORBIDDEN', message: 'Only signed-in users can do this.' });
    return next({ ctx: { actor: ctx.actor } });
  });
}
