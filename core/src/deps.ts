import { mkdirSync, readFileSync } from 'node:fs';
import type { Config } from './config.js';
import { createApiTokenRepository } from './modules/access/api-tokens.repository.js';
import { createApiTokenService } from './modules/access/api-tokens.service.js';
import { createAuthService } from './modules/access/auth.service.js';
import { createGuestLinkRepository } from './modules/access/guest-links.repository.js';
import { createGuestLinkService } from './modules/access/guest-links.service.js';
import { createInviteRepository } from './modules/access/invites.repository.js';
import { createLoginLimiter } from './modules/access/login-limiter.js';
import type { Actor } from './modules/access/permissions.js';
import { createSessionRepository } from './modules/access/sessions.repository.js';
import { createTwoFactorRepository } from './modules/access/two-factor.repository.js';
import { createTwoFactorService } from './modules/access/two-factor.service.js';
import { createUserRepository } from './modules/access/users.repository.js';
import { createUserAdminService } from './modules/access/users.service.js';
import { createAuditRepository } from './modules/audit/audit.repository.js';
import { createAuditService } from './modules/audit/audit.service.js';
import { withAuditedTransactions } from './modules/audit/audited-db.js';
import { createFileService } from './modules/nodes/files.service.js';
import { createNodeRepository } from './modules/nodes/nodes.repository.js';
import { createNodeService } from './modules/nodes/nodes.service.js';
import { createRunRepository } from './modules/nodes/runs.repository.js';
import { createRunService } from './modules/nodes/runs.service.js';
import { createServicesService } from './modules/nodes/services.service.js';
import { createEventStreamService } from './modules/system/event-stream.service.js';
import { createSystemService } from './modules/system/system.service.js';
import { type DatabaseHandle, openDatabase } from './platform/db/client.js';
import { createEventBus, type EventBus } from './platform/events/bus.js';
import { createJobs } from './platform/jobs.js';
import { deriveKey, loadSigningKey } from './platform/keys.js';
import type { Logger } from './platform/logger.js';
import { loadMasterKey } from './platform/master-key.js';
import {
  connectRedis,
  createBlockingRedisClient,
  createRedisClient,
  type Redis,
  type RedisTarget,
  redisTargetFromUrl,
  startEmbeddedRedis,
} from './platform/redis.js';
import { createVault } from './platform/vault.js';

// The composition root: platform adapters first, then repositories, then services.

export const version: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

export interface Platform {
  config: Config;
  log: Logger;
  database: DatabaseHandle;
  redis: Redis;
  redisReader: Redis;
  redisTarget: RedisTarget;
  masterKey: Buffer;
  close(): Promise<void>;
}

/** Opens (and if needed starts) the database and Redis. Throws a StartupError naming the part. */
export async function openPlatform(config: Config, log: Logger): Promise<Platform> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const masterKey = loadMasterKey({ configured: config.masterKey, dataDir: config.dataDir, log });
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  try {
    let redisTarget: RedisTarget;
    if (config.redisUrl) {
      redisTarget = redisTargetFromUrl(config.redisUrl);
    } else {
      const embedded = await startEmbeddedRedis({ bin: config.redisServerBin, dataDir: config.dataDir, log });
      closers.push(embedded.stop);
      redisTarget = embedded.target;
    }
    const redis = createRedisClient(redisTarget, 'serverbox-core');
    const redisReader = createBlockingRedisClient(redisTarget, 'serverbox-core-events');
    closers.push(async () => {
      redis.disconnect();
      redisReader.disconnect();
    });
    await connectRedis(redis).catch((err) => {
      throw new StartupError(`cannot reach Redis (${redisTarget.describe}): ${err.message}`);
    });
    await connectRedis(redisReader).catch((err) => {
      throw new StartupError(`cannot reach Redis (${redisTarget.describe}): ${err.message}`);
    });

    const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir }).catch((err) => {
      throw new StartupError(`cannot open the database: ${err.message}`);
    });
    closers.push(() => database.close());
    await database.ping(5000).catch((err) => {
      throw new StartupError(`cannot reach the database (${database.describe}): ${describeError(err)}`);
    });
    await database.migrate().catch((err) => {
      throw new StartupError(`database migration failed: ${describeError(err)}`);
    });

    return { config, log, database, redis, redisReader, redisTarget, masterKey, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

export class StartupError extends Error {}

function describeError(err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: unknown };
  const msg = e.message || e.code || String(err);
  return e.cause ? `${msg} (${describeError(e.cause)})` : msg;
}

/**
 * Wires repositories into services. `createKeys: false` (the CLI) refuses to generate a
 * missing audit signing key: rows signed or chained under other keys would break the log.
 */
export function createServices(p: Platform, opts: { bus?: EventBus; createKeys?: boolean } = {}) {
  const bus =
    opts.bus ??
    createEventBus({ publisher: p.redis, reader: p.redisReader, log: p.log, maxLen: p.config.events.maxLen });
  const audit = createAuditService({
    db: p.database.db,
    repo: createAuditRepository(p.database.db),
    macKey: deriveKey(p.masterKey, 'audit-mac'),
    signingKey: loadSigningKey({
      configured: p.config.audit.signingKey,
      dataDir: p.config.dataDir,
      log: p.log,
      create: opts.createKeys,
    }),
    bus,
    log: p.log,
    checkpointEveryRows: p.config.audit.checkpointEveryRows,
    checkpointEveryMinutes: p.config.audit.checkpointEveryMinutes,
    checkpointSink: p.config.audit.checkpointSink,
  });
  // Services see a database whose transactions carry the request's audit row.
  const db = withAuditedTransactions(p.database.db, audit);
  const users = createUserRepository(db);
  const twoFactor = createTwoFactorService({
    db,
    repo: createTwoFactorRepository(db),
    vault: createVault(p.masterKey),
    redis: p.redis,
    events: bus,
    issuer: 'serverbox',
  });
  const sessions = createSessionRepository(db);
  const invites = createInviteRepository(db);
  const limiter = createLoginLimiter({ redis: p.redis, ...p.config.loginLimits });
  const auth = createAuthService({
    db,
    users,
    sessions,
    invites,
    twoFactor,
    events: bus,
    limiter,
    log: p.log,
    session: p.config.session,
    setupTokenSeconds: p.config.setupTokenSeconds,
  });
  const userAdmin = createUserAdminService({
    db,
    users,
    sessions,
    invites,
    events: bus,
    log: p.log,
    inviteSeconds: p.config.inviteSeconds,
  });
  bus.on('sessions.revoked', ({ sessionIds }) => auth.forgetSessions(sessionIds));
  bus.on('sessions.refresh', ({ sessionIds }) => auth.forgetSessions(sessionIds));
  const system = createSystemService({
    database: p.database,
    redis: p.redis,
    redisDescribe: p.redisTarget.describe,
    version,
  });
  const guests = createGuestLinkService({
    db,
    links: createGuestLinkRepository(db),
    events: bus,
    redis: p.redis,
    log: p.log,
    maxHours: 24 * 7,
    openLimitPerIp: p.config.loginLimits.perIp,
  });
  const tokens = createApiTokenService({
    db,
    tokens: createApiTokenRepository(db),
    events: bus,
    log: p.log,
    maxDays: 365,
  });
  const eventStream = createEventStreamService({
    bus,
    stillValid: (a) =>
      a.kind === 'user'
        ? auth.sessionStillValid(a.sessionId)
        : a.kind === 'guest'
          ? guests.stillValid(a.guestSessionId)
          : tokens.stillValid(a.tokenId),
    log: p.log,
    recheckSeconds: p.config.streamRecheckSeconds,
  });
  /**
   * Who is calling: a bearer API token if an Authorization header came; otherwise a user
   * session cookie; otherwise a guest cookie. Every entry point (tRPC, plain HTTP routes)
   * asks this one function.
   */
  const resolveActor = async (c: {
    bearer?: string;
    sessionToken?: string;
    guestToken?: string;
  }): Promise<Actor | null> => {
    if (c.bearer !== undefined) return tokens.authenticate(c.bearer);
    return (await auth.authenticate(c.sessionToken)) ?? guests.authenticate(c.guestToken);
  };
  const nodeRepo = createNodeRepository(db);
  const nodes = createNodeService({
    db,
    repo: nodeRepo,
    vault: createVault(p.masterKey),
    events: bus,
    audit,
    log: p.log,
    healthSeconds: p.config.nodes.healthSeconds,
    pool: p.config.ssh,
  });
  const services = createServicesService({ nodes, events: bus, redis: p.redis, log: p.log });
  const files = createFileService({ nodes, events: bus, log: p.log, limits: { maxBytes: p.config.files.maxBytes } });
  const jobs = createJobs(p.redisTarget, p.log);
  const runs = createRunService({
    db,
    runs: createRunRepository(db),
    nodeRepo,
    nodes,
    jobs,
    events: bus,
    audit,
    log: p.log,
  });
  return {
    bus,
    audit,
    auth,
    userAdmin,
    guests,
    tokens,
    twoFactor,
    system,
    eventStream,
    resolveActor,
    nodes,
    services,
    files,
    jobs,
    runs,
  };
}
export type Services = ReturnType<typeof createServices>;
