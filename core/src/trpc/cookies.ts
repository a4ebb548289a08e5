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

export function clearedSessionCookie(secure: boolean): string {
  return serialize(sessionCookieName, '', { path: '/', httpOnly: true, sameSite: 'Lax', secure, maxAge: 0 });
}
