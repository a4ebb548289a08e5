import type { Actor } from './modules/access/permissions.js';

/** What Hono middleware puts on the request context for later handlers. */
export type AppEnv = {
  Variables: { clientIp: string | null; secure: boolean; requestId: string; actor: Actor };
};
