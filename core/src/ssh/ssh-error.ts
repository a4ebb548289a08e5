// Every failure the pool reports is an SshError with a code callers can branch on.
// Messages name the node and never include key material.

export type SshErrorCode =
  | 'unreachable' // TCP connect or SSH handshake failed (or the circuit is open)
  | 'auth-failed' // the node refused our key
  | 'host-key-unknown' // no key pinned yet: the node waits for an admin to confirm it
  | 'host-key-mismatch' // the node presented a different key than the pinned one
  | 'connection-lost' // the connection dropped (or keepalive gave up) while in use
  | 'timeout' // the caller's deadline passed (waiting for a channel or for the command)
  | 'cancelled' // the caller cancelled
  | 'busy' // no channel became free before the deadline
  | 'output-limit' // the command wrote more than allowed and was stopped
  | 'sudo-required'; // the node's user lacks the (passwordless) sudo the command needs

export class SshError extends Error {
  override name = 'SshError';
  constructor(
    readonly code: SshErrorCode,
    message: string,
    readonly details: { retryAt?: Date; fingerprint?: string } = {},
  ) {
    super(message);
  }
}

export const isSshError = (e: unknown, code?: SshErrorCode): e is SshError =>
  e instanceof SshError && (code === undefined || e.code === code);
