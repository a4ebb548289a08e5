// Helpers for the audit-log benches: the real audit service in the bench's own process (the
// core's composition root from core/dist, on a bench database), and realistic audit entries.
import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { coreDist, tempDir } from './common.mjs';

/** Imports a module of the built core (core/dist or BENCH_CORE_DIST) by its path under dist. */
export const fromCore = (rel) => import(pathToFileURL(join(coreDist, rel)).href);

/** Redis logical DB of the audit benches (flushed first). */
export const auditRedisDb = 61;

/** The keys both the in-process service and a spawned core use, so they append to one chain. */
export function auditKeys() {
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    masterKey: randomBytes(32).toString('base64'),
    signingPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * The core's own platform and services (createServices/openPlatform from core/dist/deps.js,
 * config from loadConfig) on the given stores: migrates the database, starts the audit
 * service (checkpoint bookkeeping and timer). Closed by `close()`.
 */
export async function openAuditServices(stores, keys, env = {}) {
  const { loadConfig } = await fromCore('config.js');
  const { createServices, openPlatform } = await fromCore('deps.js');
  const { createLogger } = await fromCore('platform/logger.js');
  const dataDir = tempDir('sb-bench-audit-');
  const config = loadConfig({
    DATABASE_URL: stores.databaseUrl,
    REDIS_URL: stores.redisUrl,
    SERVERBOX_DATA_DIR: dataDir,
    SERVERBOX_MASTER_KEY: keys.masterKey,
    SERVERBOX_AUDIT_SIGNING_KEY: keys.signingPem,
    SERVERBOX_AUDIT_CHECKPOINT_ROWS: '1000',
    LOG_LEVEL: 'error',
    ...env,
  });
  const log = createLogger({ level: config.logLevel });
  const platform = await openPlatform(config, log);
  const services = createServices(platform);
  await services.audit.start();
  let closed = false;
  return {
    config,
    log,
    platform,
    services,
    audit: services.audit,
    async close() {
      if (closed) return;
      closed = true;
      await services.audit.stop();
      await platform.close();
    },
  };
}

// Realistic rows: what the tRPC middleware records for mutations and denials (actor from
// the session, client IP and user agent, request id, redacted input as details).
const actions = [
  ['auth.login', () => ({ input: { email: 'ops@example.com', password: '[redacted]' } })],
  ['auth.logout', () => null],
  ['auth.revokeSession', () => ({ input: { sessionId: randomUUID() } })],
  ['auth.changePassword', () => ({ input: { currentPassword: '[redacted]', newPassword: '[redacted]' } })],
  ['audit.verify', () => null],
  ['nodes.exec', () => ({ input: { nodeId: 'web-1', command: 'systemctl restart nginx', timeoutSeconds: 30 } })],
];
const userAgent =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const users = Array.from({ length: 8 }, (_, i) => ({ type: 'user', id: randomUUID(), name: `Operator ${i + 1}` }));

/** The AuditScope the middleware would build for request number i. */
export function sampleScope(i) {
  const [action, details] = actions[i % actions.length];
  const denied = i % 50 === 7;
  return {
    action,
    actor: users[i % users.length],
    ip: `10.0.${(i >> 8) & 255}.${i & 255}`,
    userAgent,
    requestId: randomUUID(),
    target: action === 'nodes.exec' ? { type: 'node', id: 'web-1', name: 'web-1' } : null,
    details: denied ? { error: { code: 'FORBIDDEN', message: 'You lack the permission audit:verify.' } } : details(),
    recorded: false,
    afterCommit: [],
    outcome: denied ? 'denied' : 'success',
  };
}

/** An entry (without seq) as the service builds it from a scope: `entryOf` in audit.service.ts. */
export function sampleEntry(i, at = new Date()) {
  const s = sampleScope(i);
  return {
    at: at.toISOString(),
    actor: s.actor,
    ip: s.ip,
    userAgent: s.userAgent,
    action: s.action,
    target: s.target,
    outcome: s.outcome,
    details: s.details,
    requestId: s.requestId,
  };
}

/** COPY text format: backslash, newline, carriage return and tab escaped; null is \N. */
const copyField = (v) =>
  v === null || v === undefined
    ? '\\N'
    : String(v).replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]);

/**
 * Fills audit_events with `rows` chained rows made exactly as the service makes them
 * (audit-chain.js link() and columnsOf(), the given MAC key) and COPYs them in; every
 * `checkpointEvery` rows a checkpoint signed as checkpoint() signs it (Ed25519 over
 * checkpointMessage()). Keeps the canonical texts off the JS heap (Buffers, one per chunk of
 * rows, texts separated by newlines: a canon never holds a raw newline) for the ceiling.
 */
export async function fillAuditChain({ sql, rows, macKey, signingKey, checkpointEvery = 1000, progress }) {
  const chain = await fromCore('modules/audit/audit-chain.js');
  const canonChunks = [];
  const checkpoints = [];
  const t0 = Date.now() - rows * 2500; // one row every 2.5 s, ending now
  let prev = { seq: 0, hash: chain.genesis, mac: chain.genesis };
  let genMs = 0;
  let canonBytes = 0;
  const chunk = 2000;
  function* lines() {
    for (let from = 1; from <= rows; from += chunk) {
      const g = performance.now();
      const out = [];
      const canons = [];
      for (let seq = from; seq < from + chunk && seq <= rows; seq++) {
        const entry = { ...sampleEntry(seq, new Date(t0 + seq * 2500)), seq };
        const row = chain.link(prev, entry, macKey);
        prev = row;
        canons.push(row.canon);
        const c = chain.columnsOf(entry);
        out.push(
          [
            seq,
            c.at,
            c.actorType,
            c.actorId,
            c.actorName,
            c.ip,
            c.action,
            c.targetType,
            c.targetId,
            c.outcome,
            row.canon,
            row.hash,
            row.mac,
          ]
            .map(copyField)
            .join('\t'),
        );
        if (seq % checkpointEvery === 0) {
          const cp = { seq, hash: row.hash, mac: row.mac, at: new Date(t0 + seq * 2500 + 1000).toISOString() };
          const signature = sign(null, chain.checkpointMessage(cp), signingKey.privateKey).toString('base64');
          checkpoints.push({ ...cp, signature, key_fingerprint: signingKey.fingerprint });
        }
      }
      const buf = Buffer.from(canons.join('\n'));
      canonBytes += buf.length - (canons.length - 1);
      canonChunks.push(buf);
      genMs += performance.now() - g;
      if (progress && (from - 1) % 100_000 === 0) progress(from - 1);
      yield `${out.join('\n')}\n`;
    }
  }
  const start = performance.now();
  const copy =
    await sql`copy audit_events (seq, at, actor_type, actor_id, actor_name, ip, action, target_type, target_id, outcome, canon, hash, mac) from stdin`.writable();
  await pipeline(Readable.from(lines()), copy);
  for (let i = 0; i < checkpoints.length; i += 500) {
    await sql`insert into audit_checkpoints ${sql(checkpoints.slice(i, i + 500))}`;
  }
  await sql`vacuum analyze audit_events`;
  return {
    head: prev,
    checkpoints: checkpoints.length,
    fillMs: performance.now() - start,
    genMs,
    canonBytes,
    /** The canonical texts as strings, seq order (decoded on demand: ~0.5 GB of heap for 1M). */
    canons() {
      const all = [];
      for (const b of canonChunks) for (const c of b.toString().split('\n')) all.push(c);
      return all;
    },
  };
}
