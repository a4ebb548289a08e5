import { serialize } from 'hono/utils/cookie';

export const sessionCookieName = 'sb_session';

export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return serialize(sessionCookieName, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure,
    maxAge: maxAgeSeconds,
  });
}

export const guestCookieName = 'sb_guest';

/** The token of an `Authorization: Bearer …` header; '' for any other Authorization (refused later). */
export function bearerOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  return authorization.match(/^Bearer\s+(\S+)$/i)?.[1] ?? '';
}

/** Guests get SameSite=Strict: they never arrive from another site after the first redirect. */
export function guestCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return serialize(guestCookieName, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict',
    secure,
    maxAge: maxAgeSeconds,
  });
}

export function clearedGuestCookie(secure: boolean): string {
  return serialize(guestCookieName, '', { path: '/', httpOnly: true, sameSite: 'Strict', secure, maxAge: 0 });
}

export function clearedSessionCookie(secure: boolean): string {
  return serialize(sessionCookieName, '', { path: '/', httpOnly: true, sameSite: 'Lax', secure, maxAge: 0 });
}
