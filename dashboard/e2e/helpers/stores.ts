import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import postgres from 'postgres';
import { requireEnv } from './env';

// The e2e test owns Redis logical database 63; the core's tests use lower numbers. Two e2e
// runs at once on one machine (two worktrees) would share its queues — one core's workers
// take the other's jobs, and each run's FLUSHDB empties the other's: E2E_REDIS_DB gives a
// second run a database of its own.
const redisDb = Number(process.env.E2E_REDIS_DB ?? 63);

export interface Stores {
  databaseUrl: string;
  redisUrl: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database (the core migrates it at boot) and an emptied Redis DB. */
export async function freshStores(): Promise<Stores> {
  const adminUrl = requireEnv('TEST_PG_URL');
  const name = `sb_e2e_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const db = new URL(adminUrl);
  db.pathname = `/${name}`;
  const redisUrl = `${requireEnv('TEST_REDIS_URL').replace(/\/\d*$/, '')}/${redisDb}`;
  await flushRedis(redisUrl);
  return {
    databaseUrl: db.toString(),
    redisUrl,
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

const resp = (...args: string[]) =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/** SELECT + FLUSHDB over a plain socket: two commands do not justify a Redis client. */
function flushRedis(url: string): Promise<void> {
  const u = new URL(url);
  const commands = [
    ...(u.password ? [u.username ? resp('AUTH', u.username, u.password) : resp('AUTH', u.password)] : []),
    resp('SELECT', u.pathname.slice(1) || '0'),
    resp('FLUSHDB'),
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port || 6379), u.hostname);
    let replies = '';
    socket.setTimeout(5000, () => socket.destroy(new Error(`Redis at ${u.host} did not answer`)));
    socket.on('connect', () => socket.write(commands.join('')));
    socket.on('data', (chunk) => {
      replies += chunk.toString();
      const lines = replies.split('\r\n').filter(Boolean);
      const failed = lines.find((l) => l.startsWith('-'));
      if (failed) socket.destroy(new Error(`Redis refused: ${failed.slice(1)}`));
      else if (lines.length >= commands.length) socket.end(() => resolve());
    });
    socket.on('error', reject);
  });
}
