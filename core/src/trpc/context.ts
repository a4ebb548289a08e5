import type { Services } from '../deps.js';
import type { Actor } from '../modules/access/permissions.js';
import type { Logger } from '../platform/logger.js';

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string;
  /** Whether the browser reached us over HTTPS (decides the cookie's Secure flag). */
  secure: boolean;
  sessionToken: string | undefined;
  guestToken?: string | undefined;
  /** `Authorization: Bearer …` (API tokens); when present, cookies are ignored. */
  bearer?: string | undefined;
}

export interface Context {
  services: Services;
  req: RequestMeta;
  /** Headers of the HTTP response: cookies must be set here, not on Hono's context. */
  resHeaders: Headers;
  log: Logger;
  /** Resolved once per HTTP request (a batch shares it), lazily so errors map cleanly. */
  getActor(): Promise<Actor | null>;
}

export function createContext(d: { services: Services; req: RequestMeta; resHeaders: Headers; log: Logger }): Context {
  let actor: Promise<Actor | null> | null = null;
  return {
    ...d,
    getActor: () => {
      actor ??= d.services.resolveActor(d.req);
      return actor;
    },
  };
}
