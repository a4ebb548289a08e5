import { authRouter } from '../modules/access/auth.router.js';
import { guestsRouter } from '../modules/access/guests.router.js';
import { tokensRouter } from '../modules/access/tokens.router.js';
import { twoFactorRouter } from '../modules/access/two-factor.router.js';
import { usersRouter } from '../modules/access/users.router.js';
import { sessionRouter } from '../modules/access/whoami.router.js';
import { auditRouter } from '../modules/audit/audit.router.js';
import { nodesRouter } from '../modules/nodes/nodes.router.js';
import { commandsRouter, runsRouter } from '../modules/nodes/runs.router.js';
import { servicesRouter } from '../modules/nodes/services.router.js';
import { eventsRouter, systemRouter } from '../modules/system/system.router.js';
import { router } from './init.js';

export const appRouter = router({
  auth: authRouter,
  session: sessionRouter,
  users: usersRouter,
  guests: guestsRouter,
  tokens: tokensRouter,
  twoFactor: twoFactorRouter,
  system: systemRouter,
  events: eventsRouter,
  audit: auditRouter,
  nodes: nodesRouter,
  commands: commandsRouter,
  runs: runsRouter,
  services: servicesRouter,
});

export type AppRouter = typeof appRouter;
