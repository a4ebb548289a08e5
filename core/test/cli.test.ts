import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStores, signedIn, startCore } from './helpers/core.js';
import { coreCli, requireBuild, run } from './helpers/processes.js';

let stores: Awaited<ReturnType<typeof freshStores>>;
let env: Record<string, string>;
beforeAll(async () => {
  requireBuild();
  stores = await freshStores();
  env = {
    DATABASE_URL: stores.databaseUrl,
    REDIS_URL: stores.redisUrl,
    SERVERBOX_DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-cli-')),
    // The CLI must use the core's keys; it never invents its own.
    SERVERBOX_MASTER_KEY: randomBytes(32).toString('base64'),
    SERVERBOX_AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  };
});
afterAll(() => stores.drop());

const cli = (args: string[], input = '') => run('node', [coreCli, ...args], { env, input });

describe('serverbox admin create', () => {
  it('creates an admin with the password from stdin, who can then sign in', async () => {
    const r = await cli(
      ['admin', 'create', '--email', 'ops@example.com', '--name', 'Ops Lead'],
      'a long enough passphrase\n',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^created admin ops@example.com \(/);
    const core = await startCore(
      {
        SERVERBOX_MASTER_KEY: env.SERVERBOX_MASTER_KEY as string,
        SERVERBOX_AUDIT_SIGNING_KEY: env.SERVERBOX_AUDIT_SIGNING_KEY as string,
      },
      { databaseUrl: stores.databaseUrl, redisUrl: stores.redisUrl },
    );
    try {
      const b = await signedIn(core, 'ops@example.com', 'a long enough passphrase');
      expect((await b.client.auth.me.query()).user).toMatchObject({ name: 'Ops Lead', role: 'admin' });
      expect(await core.services.auth.issueSetupToken()).toBeNull();
    } finally {
      await core.close();
    }
  });

  it('refuses a weak password, a duplicate email, a bad email and a password on argv', async () => {
    const weak = await cli(['admin', 'create', '--email', 'weak@example.com'], 'short\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/at least 12 characters/);
    const dup = await cli(['admin', 'create', '--email', 'OPS@example.com'], 'another long passphrase\n');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
    const bad = await cli(['admin', 'create', '--email', 'not-an-email; rm -rf /'], 'another long passphrase\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/valid email/);
    const argv = await cli(['admin', 'create', '--email', 'x@example.com', '--password', 'hunter2hunter2']);
    expect(argv.code).toBe(1);
    expect(argv.stderr).toMatch(/Unknown option '--password'/);
    const sql = postgres(stores.databaseUrl, { max: 1, onnotice: () => {} });
    expect((await sql`select email from users order by email`).map((r) => r.email)).toEqual(['ops@example.com']);
    await sql.end();
  });

  it('records the admin it created in the audit log, and verifies the chain', async () => {
    const sql = postgres(stores.databaseUrl, { max: 1, onnotice: () => {} });
    const rows = await sql`select action, actor_type, outcome from audit_events where action = 'cli.admin.create'`;
    expect(rows).toEqual([{ action: 'cli.admin.create', actor_type: 'system', outcome: 'success' }]);
    await sql.end();
    const r = await cli(['audit', 'verify']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: \d+ rows verified/);
  });

  it('refuses to write audit rows without the core’s keys', async () => {
    const r = await run('node', [coreCli, 'admin', 'create', '--email', 'nokey@example.com'], {
      env: { ...env, SERVERBOX_MASTER_KEY: '', SERVERBOX_DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-cli-nokey-')) },
      input: 'a long enough passphrase\n',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no master key/);
  });

  it('prints usage for unknown commands', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: serverbox/);
  });
});
