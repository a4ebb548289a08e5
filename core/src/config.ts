import { resolve } from 'node:path';
import { z } from 'zod';

// The ONLY module that reads process.env. Everything else receives a Config.

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .default('false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  SERVERBOX_PUBLIC_URL: z.url().optional(),
  SERVERBOX_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  SERVERBOX_REDIS_SERVER_BIN: z.string().default('redis-server'),
  SERVERBOX_MASTER_KEY: z.string().optional(),
  SERVERBOX_DASHBOARD_DIR: z.string().optional(),
  SERVERBOX_TRUST_PROXY: flag,
  SERVERBOX_SESSION_IDLE_SECONDS: seconds(12 * 3600),
  SERVERBOX_SESSION_MAX_SECONDS: seconds(7 * 24 * 3600),
  SERVERBOX_SESSION_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  SERVERBOX_SETUP_TOKEN_SECONDS: seconds(30 * 60),
  SERVERBOX_INVITE_SECONDS: seconds(7 * 24 * 3600),
  SERVERBOX_LOGIN_LIMIT_PER_ACCOUNT: seconds(5),
  SERVERBOX_LOGIN_LIMIT_PER_IP: seconds(30),
  SERVERBOX_LOGIN_LIMIT_WINDOW_SECONDS: seconds(15 * 60),
  SERVERBOX_EVENTS_MAXLEN: seconds(10_000),
  SERVERBOX_AUDIT_SIGNING_KEY: z.string().optional(),
  SERVERBOX_AUDIT_CHECKPOINT_ROWS: seconds(1000),
  SERVERBOX_AUDIT_CHECKPOINT_MINUTES: seconds(10),
  SERVERBOX_AUDIT_CHECKPOINT_SINK: z.string().optional(),
  SERVERBOX_STREAM_RECHECK_SECONDS: seconds(30),
  SERVERBOX_NODE_HEALTH_SECONDS: seconds(30),
  SERVERBOX_SSH_READY_TIMEOUT_SECONDS: seconds(10),
  SERVERBOX_SSH_KEEPALIVE_SECONDS: seconds(15),
  SERVERBOX_SSH_KEEPALIVE_COUNT: seconds(3),
  SERVERBOX_SSH_IDLE_SECONDS: seconds(300),
  SERVERBOX_SSH_MAX_CONNECTIONS: seconds(200),
  SERVERBOX_FILE_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 ** 3),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = envSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.SERVERBOX_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.SERVERBOX_PUBLIC_URL?.replace(/\/$/, ''),
    dataDir,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisServerBin: e.SERVERBOX_REDIS_SERVER_BIN,
    masterKey: e.SERVERBOX_MASTER_KEY,
    dashboardDir: e.SERVERBOX_DASHBOARD_DIR ? resolve(e.SERVERBOX_DASHBOARD_DIR) : undefined,
    trustProxy: e.SERVERBOX_TRUST_PROXY,
    session: {
      idleSeconds: e.SERVERBOX_SESSION_IDLE_SECONDS,
      maxSeconds: e.SERVERBOX_SESSION_MAX_SECONDS,
      cacheMs: e.SERVERBOX_SESSION_CACHE_MS,
    },
    setupTokenSeconds: e.SERVERBOX_SETUP_TOKEN_SECONDS,
    inviteSeconds: e.SERVERBOX_INVITE_SECONDS,
    loginLimits: {
      perAccount: e.SERVERBOX_LOGIN_LIMIT_PER_ACCOUNT,
      perIp: e.SERVERBOX_LOGIN_LIMIT_PER_IP,
      windowSeconds: e.SERVERBOX_LOGIN_LIMIT_WINDOW_SECONDS,
    },
    events: { maxLen: e.SERVERBOX_EVENTS_MAXLEN },
    audit: {
      signingKey: e.SERVERBOX_AUDIT_SIGNING_KEY,
      checkpointEveryRows: e.SERVERBOX_AUDIT_CHECKPOINT_ROWS,
      checkpointEveryMinutes: e.SERVERBOX_AUDIT_CHECKPOINT_MINUTES,
      checkpointSink: e.SERVERBOX_AUDIT_CHECKPOINT_SINK,
    },
    streamRecheckSeconds: e.SERVERBOX_STREAM_RECHECK_SECONDS,
    nodes: { healthSeconds: e.SERVERBOX_NODE_HEALTH_SECONDS },
    ssh: {
      readyTimeoutMs: e.SERVERBOX_SSH_READY_TIMEOUT_SECONDS * 1000,
      keepaliveIntervalMs: e.SERVERBOX_SSH_KEEPALIVE_SECONDS * 1000,
      keepaliveCountMax: e.SERVERBOX_SSH_KEEPALIVE_COUNT,
      idleCloseMs: e.SERVERBOX_SSH_IDLE_SECONDS * 1000,
      maxConnections: e.SERVERBOX_SSH_MAX_CONNECTIONS,
    },
    files: { maxBytes: e.SERVERBOX_FILE_MAX_BYTES },
    logLevel: e.LOG_LEVEL,
  };
}

function stripEmpty(env: Record<string, string | undefined>) {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
}
