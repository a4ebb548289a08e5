// Domain errors. Services throw these; each adapter (tRPC, HTTP, CLI) maps them once.

export class DomainError extends Error {
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
export class ValidationError extends DomainError {}
export class NotFoundError extends DomainError {}
export class ConflictError extends DomainError {}
export class UnauthenticatedError extends DomainError {}
export class ForbiddenError extends DomainError {}
export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, { retryAfterSeconds });
  }
}
export class UnavailableError extends DomainError {}

const infraCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
]);

/** True when an error means PostgreSQL or Redis is out of reach, not that the request was wrong. */
export function isInfrastructureError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof UnavailableError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && infraCodes.has(code)) return true;
    const name = (e as { name?: unknown }).name;
    if (name === 'MaxRetriesPerRequestError') return true;
    const message = (e as { message?: unknown }).message;
    if (
      typeof message === 'string' &&
      /Connection is closed|enableOfflineQueue|Stream isn't writeable|write CONNECTION_CLOSED/.test(message)
    )
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
