#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { DomainError } from './errors.js';
import { createAdminInput } from './modules/access/access.schemas.js';
import { createAuthService } from './modules/access/auth.service.js';
import { createLoginLimiter } from './modules/access/login-limiter.js';
import { createSessionRepository } from './modules/access/sessions.repository.js';
import { createUserRepository } from './modules/access/users.repository.js';
import { openDatabase } from './platform/db/client.js';
import { createEventBus } from './platform/events/bus.js';
import { createLogger } from './platform/logger.js';
import { connectRedis, createRedisClient, type RedisTarget, redisTargetFromUrl } from './platform/redis.js';

const usage = `usage: serverbox <command>

commands:
  admin create --email <email> --name <name>
      Create an admin. The password is read from standard input (one line) when it is
      not a terminal, otherwise prompted for twice. It never goes on the command line.`;

async function main(argv: string[]) {
  const [group, command, ...rest] = argv;
  if (group === 'admin' && command === 'create') return adminCreate(rest);
  process.stderr.write(`${usage}\n`);
  return group === undefined || group === '--help' || group === 'help' ? 0 : 2;
}

async function adminCreate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, name: { type: 'string' } },
    strict: true,
  });
  if (!values.email) throw new CliError('--email is required');
  const config = loadConfig();
  const log = createLogger({ level: 'warn', destination: process.stderr as never });

  // PGlite is one process's database: a second process opening it would corrupt it.
  const pidFile = join(config.dataDir, 'core.pid');
  if (!config.databaseUrl && existsSync(pidFile) && isAlive(Number(readFileSync(pidFile, 'utf8')))) {
    throw new CliError('the core is running on the embedded database; stop it first, or use the setup link it logged');
  }
  const password = await readPassword();
  const input = createAdminInput.safeParse({
    email: values.email,
    name: values.name ?? values.email.split('@')[0],
    password,
  });
  if (!input.success) throw new CliError(input.error.issues.map((i) => i.message).join('; '));

  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await database.migrate();
    // Redis is optional here: with it, open dashboards see the new user live.
    const target = redisTarget(config);
    const redis = createRedisClient(target ?? { options: { path: '/nonexistent' }, describe: 'none' }, 'serverbox-cli');
    if (target) await connectRedis(redis, 2000).catch(() => log.warn('Redis unreachable; no live event is sent'));
    const bus = createEventBus({ publisher: redis, reader: redis, log, maxLen: config.events.maxLen });
    const auth = createAuthService({
      db: database.db,
      users: createUserRepository(database.db),
      sessions: createSessionRepository(database.db),
      events: bus,
      limiter: createLoginLimiter({ redis, ...config.loginLimits }),
      log,
      session: config.session,
      setupTokenSeconds: config.setupTokenSeconds,
    });
    const user = await auth.createAdmin(input.data);
    redis.disconnect();
    process.stdout.write(`created admin ${user.email} (${user.id})\n`);
    return 0;
  } finally {
    await database.close();
  }
}

function redisTarget(config: ReturnType<typeof loadConfig>): RedisTarget | null {
  if (config.redisUrl) return redisTargetFromUrl(config.redisUrl);
  const socket = join(config.dataDir, 'redis', 'redis.sock');
  return existsSync(socket) ? { options: { path: socket }, describe: socket } : null;
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  const first = await prompt('Password: ');
  const second = await prompt('Repeat password: ');
  if (first !== second) throw new CliError('passwords do not match');
  return first;
}

function prompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    // Hide what is typed: echo nothing but the prompt.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.startsWith(question)) process.stderr.write(question);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

class CliError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    const known =
      err instanceof CliError ||
      err instanceof DomainError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`serverbox: ${known ? err.message : `unexpected error: ${err?.stack ?? err}`}\n`);
    process.exit(1);
  },
);
