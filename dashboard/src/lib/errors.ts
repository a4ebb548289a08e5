import { TRPCClientError } from '@trpc/client';

// The core's error shape (core/src/trpc/init.ts): data.code, data.issues[] for bad input,
// data.details for domain errors (e.g. { field } or { retryAfterSeconds }).
interface ErrorData {
  code?: string;
  issues?: { path: string; message: string }[];
  details?: Record<string, unknown>;
}

const dataOf = (err: unknown): ErrorData | undefined =>
  err instanceof TRPCClientError ? (err.data as ErrorData | undefined) : undefined;

export const errorCode = (err: unknown): string | undefined => dataOf(err)?.code;

export const isUnauthorized = (err: unknown) => errorCode(err) === 'UNAUTHORIZED';

/** The message a person should read: the server's own words where it gave any. */
export function errorMessage(err: unknown): string {
  if (!err) return '';
  const data = dataOf(err);
  // Bad input: tRPC's own message is the raw issue list; the issues read better.
  if (data?.issues?.length) return data.issues.map((i) => i.message).join(' ');
  if (err instanceof TRPCClientError) {
    if (!data && /fetch|network|load failed/i.test(err.message)) {
      return 'Cannot reach serverbox. Check your connection and try again.';
    }
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Per-field messages: zod issues by path, and a domain error's `details.field`. */
export function fieldErrors(err: unknown): Record<string, string> {
  const data = dataOf(err);
  const out: Record<string, string> = {};
  for (const issue of data?.issues ?? []) {
    if (issue.path && !out[issue.path]) out[issue.path] = issue.message;
  }
  const field = data?.details?.field;
  if (typeof field === 'string' && err instanceof Error) out[field] = err.message;
  return out;
}

export function retryAfterSeconds(err: unknown): number | undefined {
  const v = dataOf(err)?.details?.retryAfterSeconds;
  return typeof v === 'number' ? v : undefined;
}

/** A sensitive action refused until the password is proven again (see features/auth/reauth-prompt). */
export const needsReauth = (err: unknown) => dataOf(err)?.details?.reauthRequired === true;

/** auth.login's answer for an account with 2FA: the challenge that a code turns into a session. */
export function twoFactorChallenge(err: unknown): string | undefined {
  const details = dataOf(err)?.details;
  return details?.twoFactorRequired === true && typeof details.challenge === 'string' ? details.challenge : undefined;
}

/** A ValidationError's list of problems (details.problems), one sentence each; empty when it has none. */
export function errorProblems(err: unknown): string[] {
  const problems = dataOf(err)?.details?.problems;
  return Array.isArray(problems) ? problems.filter((p): p is string => typeof p === 'string') : [];
}
