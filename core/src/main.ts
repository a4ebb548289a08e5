import { existsSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createServices, openPlatform, version } from './deps.js';
import { createLogger } from './platform/logger.js';

// Entry: config → platform (database, Redis) → migrate → services → serve → workers.

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    fail((err as Error).message);
  }
  const log = createLogger({ level: config.logLevel });
  // A stray rejection from a driver (a connection dying mid-query) must not take the
  // whole control plane down; it is logged with its stack for a bug report.
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled promise rejection'));
  const platform = await openPlatform(config, log).catch((err: Error) => fail(err.message));
  const pidFile = join(config.dataDir, 'core.pid');
  writeFileSync(pidFile, String(process.pid));

  const services = createServices(platform);
  await services.bus.start();
  await services.audit.start();
  services.nodes.start();
  services.runs.startWorker();
  const app = createApp({ services, log, trustProxy: config.trustProxy, dashboardDir: config.dashboardDir });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err) => reject(err));
  }).catch((err: Error) => fail(`cannot listen on ${config.host}:${config.port}: ${err.message}`));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = config.publicUrl ?? `http://localhost:${port}`;
  log.info(
    { port, version, database: platform.database.describe, redis: platform.redisTarget.describe },
    `serverbox ${version} listening on ${baseUrl}`,
  );

  const setup = await services.auth.issueSetupToken();
  if (setup) {
    log.warn(
      { setupUrl: `${baseUrl}/setup#token=${setup.token}`, expiresAt: setup.expiresAt.toISOString() },
      `No admin yet. Create one within 30 minutes at ${baseUrl}/setup#token=${setup.token} (or: npm run serverbox -- admin create --email you@example.com)`,
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 10_000);
    deadline.unref();
    server.close();
    await services.services.stop(); // ends journal follows while their 'ended' event can still go out
    await services.bus.stop(); // ends open event streams so their connections can close
    await services.audit.stop();
    await services.jobs.close();
    await services.nodes.stop();
    if ('closeAllConnections' in server) server.closeAllConnections();
    await platform.close();
    if (existsSync(pidFile)) rmSync(pidFile, { force: true });
    clearTimeout(deadline);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

function fail(message: string): never {
  process.stderr.write(`serverbox: cannot start: ${message}\n`);
  process.exit(1);
}

void main();
