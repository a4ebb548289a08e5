#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { createServices, type Platform } from './deps.js';
import { DomainError } from './errors.js';
import { createAdminInput } from './modules/access/access.schemas.js';
import { type AuditScope, auditContext } from './platform/audit-context.js';
import { openDatabase } from './platform/db/client.js';
import { createLogger, type Logger } from './platform/logger.js';
import { loadMasterKey } from './platform/master-key.js';
import { connectRedis, createRedisClient, type RedisTarget, redisTargetFromUrl } from './platform/redis.js';

const usage = `usage: serverbox <command>

commands:
  admin create --email <email> --name <name>
      Create an admin. The password is read from standard input (one line) when it is
      not a terminal, otherwise prompted for twice. It never goes on the command line.
  audit verify
      Walk the whole audit chain and its signed checkpoints; print the result. Exit 0
      when intact, 3 when tampering is found (the first bad row is named).`;

async function main(argv: string[]) {
  const [group, command, ...rest] = argv;
  if (group === 'admin' && command === 'create') return adminCreate(rest);
  if (group === 'audit' && command === 'verify') return auditVerify();
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

  refuseWhileCoreHoldsPglite(config);
  const password = await readPassword();
  const input = createAdminInput.safeParse({
    email: values.email,
    name: values.name ?? values.email.split('@')[0],
    password,
  });
  if (!input.success) throw new CliError(input.error.issues.map((i) => i.message).join('; '));

  const cli = await openCli(config, log);
  try {
    const scope: AuditScope = {
      action: 'cli.admin.create',
      actor: { type: 'system', id: null, name: 'serverbox CLI' },
      ip: null,
      userAgent: null,
      requestId: null,
      target: { type: 'user', id: null, name: input.data.email },
      details: { email: input.data.email, name: input.data.name },
      recorded: false,
      afterCommit: [],
    };
    const user = await auditContext.run(scope, () => cli.auth.createAdmin(input.data));
    for (const f of scope.afterCommit) f();
    process.stdout.write(`created admin ${user.email} (${user.id})\n`);
    return 0;
  } finally {
    await cli.close();
  }
}

async function auditVerify(): Promise<number> {
  const config = loadConfig();
  const log = createLogger({ level: 'warn', destination: process.stderr as never });
  refuseWhileCoreHoldsPglite(config);
  const cli = await openCli(config, log);
  try {
    const r = await cli.audit.verify();
    const cp =
      r.checkpoints.lastSeq === null
        ? 'no signed checkpoint yet'
        : `last signed checkpoint #${r.checkpoints.lastSeq} at ${r.checkpoints.lastAt}`;
    if (r.ok) {
      process.stdout.write(
        `ok: ${r.checkedRows} rows verified in ${r.durationMs} ms; ${cp}; ${r.tail} rows after it\n`,
      );
      return 0;
    }
    process.stdout.write(`TAMPERED at seq ${r.problem?.seq}: ${r.problem?.reason}: ${r.problem?.message}\n`);
    return 3;
  } finally {
    await cli.close();
  }
}

/** The services the CLI needs, on the core's database; Redis only if reachable (for live events). */
async function openCli(config: ReturnType<typeof loadConfig>, log: Logger) {
  // Never invent keys here: rows written under other keys would break the core's chain.
  const masterKey = loadMasterKey({ configured: config.masterKey, dataDir: config.dataDir, log, create: false });
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  await database.migrate();
  // Redis is optional here: with it, open dashboards see the CLI's changes live.
  const target = redisTarget(config);
  const redis = createRedisClient(target ?? { options: { path: '/nonexistent' }, describe: 'none' }, 'serverbox-cli');
  if (target) await connectRedis(redis, 2000).catch(() => log.warn('Redis unreachable; no live event is sent'));
  const platform: Platform = {
    config,
    log,
    database,
    redis,
    redisReader: redis,
    redisTarget: target ?? { options: {}, describe: 'none' },
    masterKey,
    async close() {
      redis.disconnect();
      await database.close();
    },
  };
  const services = createServices(platform, { createKeys: false });
  return { auth: services.auth, audit: services.audit, close: platform.close };
}

function refuseWhileCoreHoldsPglite(config: ReturnType<typeof loadConfig>) {
  // PGlite is one process's database: a second process opening it would corrupt it.
  const pidFile = join(config.dataDir, 'core.pid');
  if (!config.databaseUrl && existsSync(pidFile) && isAlive(Number(readFileSync(pidFile, 'utf8')))) {
    throw new CliError('the core is running on the embedded database; stop it first, or use the setup link it logged');
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
      /^no (master|audit signing) key/.test(String(err?.message)) ||
      err instanceof CliError ||
      err instanceof DomainError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`serverbox: ${known ? err.message : `unexpected error: ${err?.stack ?? err}`}\n`);
    process.exit(1);
  },
);
