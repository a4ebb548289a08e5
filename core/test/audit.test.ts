import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TRPCClientError } from '@trpc/client';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditRepository } from '../src/modules/audit/audit.repository.js';
import { createAuditService } from '../src/modules/audit/audit.service.js';
import { deriveKey, loadSigningKey } from '../src/platform/keys.js';
import {
  adminPassword,
  type Browser,
  browser,
  setupAdmin,
  signedIn,
  startCore,
  type TestCore,
  waitFor,
} from './helpers/core.js';
import { run } from './helpers/processes.js';

const verifier = fileURLToPath(new URL('../../scripts/verify-audit-bundle.mjs', import.meta.url));

let core: TestCore;
let sql: postgres.Sql;
let admin: Browser;
type Verify = () => ReturnType<TestCore['services']['audit']['verify']>;
/** The core's verify() cut into chunks of 4 rows: here (sources), and in 2 worker threads (the build). */
const chunked: { name: string; verify: Verify }[] = [];

async function chunkedVerifiers(): Promise<typeof chunked> {
  const p = core.platform;
  const deps = (m: { createAuditRepository: typeof createAuditRepository }) => ({
    db: p.database.db,
    repo: m.createAuditRepository(p.database.db),
    macKey: deriveKey(p.masterKey, 'audit-mac'),
    signingKey: loadSigningKey({ configured: p.config.audit.signingKey, dataDir: p.config.dataDir, log: p.log }),
    bus: core.services.bus,
    log: p.log,
    checkpointEveryRows: 1_000_000,
    checkpointEveryMinutes: 60,
  });
  const here = createAuditService({
    ...deps({ createAuditRepository }),
    verify: { chunkRows: 4, inThreadChunks: true },
  });
  // Worker threads run the compiled worker: the service from the build (tsc before vitest).
  const dist = '../dist/modules/audit';
  const built = {
    ...((await import(`${dist}/audit.service.js`)) as { createAuditService: typeof createAuditService }),
    ...((await import(`${dist}/audit.repository.js`)) as { createAuditRepository: typeof createAuditRepository }),
  };
  const workers = built.createAuditService({ ...deps(built), verify: { chunkRows: 4, workers: 2, batchRows: 3 } });
  return [
    { name: 'chunks of 4 rows in this thread', verify: () => here.verify() },
    { name: 'chunks of 4 rows in 2 worker threads', verify: () => workers.verify() },
  ];
}
beforeAll(async () => {
  core = await startCore({ SERVERBOX_AUDIT_CHECKPOINT_ROWS: '10', SERVERBOX_SESSION_CACHE_MS: '0' });
  sql = postgres(core.stores.databaseUrl, { max: 2, onnotice: () => {} });
  admin = await setupAdmin(core);
  // Some history: sign-ins, a failure, a denial, a password change.
  for (let i = 0; i < 8; i++) await signedIn(core);
  await browser(core.url)
    .client.auth.login.mutate({ email: 'admin@example.com', password: 'wrong password!' })
    .catch(() => {});
  await browser(core.url)
    .client.auth.me.query()
    .catch(() => {});
  await admin.client.auth.changePassword.mutate({
    currentPassword: adminPassword,
    newPassword: 'another fine passphrase',
  });
  await admin.client.auth.changePassword.mutate({
    currentPassword: 'another fine passphrase',
    newPassword: adminPassword,
  });
  await core.services.audit.checkpoint();
  chunked.push(...(await chunkedVerifiers()));
});
afterAll(async () => {
  await sql.end();
  await core.close();
});

const rowsOf = (action: string) =>
  sql`select seq, actor_type, actor_name, outcome, canon from audit_events where action = ${action} order by seq`;

describe('what is recorded', () => {
  it('records setup, sign-ins with the signed-in user as actor, and redacts secrets', async () => {
    const [setup] = await rowsOf('auth.setup');
    expect(setup).toMatchObject({ actor_type: 'user', actor_name: 'Ada Admin', outcome: 'success' });
    expect(setup?.canon).not.toContain(adminPassword);
    expect(JSON.parse(setup?.canon).details.input).toMatchObject({ password: '[redacted]', token: '[redacted]' });
    const logins = await rowsOf('auth.login');
    expect(logins.filter((r) => r.outcome === 'success' && r.actor_name === 'Ada Admin').length).toBeGreaterThanOrEqual(
      8,
    );
  });

  it('records a failed sign-in as a failure by an anonymous actor, naming the account', async () => {
    const failed = (await rowsOf('auth.login')).filter((r) => r.outcome === 'failure');
    expect(failed).toHaveLength(1);
    const entry = JSON.parse(failed[0]?.canon);
    expect(entry.actor.type).toBe('anonymous');
    expect(entry.target).toEqual({ type: 'user', id: null, name: 'admin@example.com' });
    expect(entry.details.error.code).toBe('UNAUTHORIZED');
    expect(JSON.stringify(entry)).not.toContain('wrong password!');
  });

  it('records denials of queries too', async () => {
    const [denied] = await rowsOf('auth.me');
    expect(denied).toMatchObject({ actor_type: 'anonymous', outcome: 'denied' });
  });

  it('lists rows newest first with filters and a cursor, and streams new ones live', async () => {
    const page = await admin.client.audit.list.query({ limit: 5 });
    expect(page.rows).toHaveLength(5);
    expect(page.rows[0]!.seq).toBeGreaterThan(page.rows[4]!.seq);
    const next = await admin.client.audit.list.query({ limit: 5, cursor: page.nextCursor! });
    expect(next.rows[0]!.seq).toBeLessThan(page.rows[4]!.seq);
    const failures = await admin.client.audit.list.query({ outcome: 'failure' });
    expect(failures.rows.every((r) => r.outcome === 'failure')).toBe(true);
    const byAction = await admin.client.audit.list.query({ action: 'auth.change' });
    expect(byAction.rows.map((r) => r.action)).toEqual(['auth.changePassword', 'auth.changePassword']);
    const hostile = await admin.client.audit.list.query({ actor: "%' or 1=1 --" });
    expect(hostile.rows).toEqual([]);

    const seen: number[] = [];
    const sub = admin.client.events.onEvent.subscribe(undefined, {
      onData: (e) => e.data.topic === 'audit.appended' && seen.push(e.data.data.seq),
    });
    await new Promise((r) => setTimeout(r, 300));
    await browser(core.url)
      .client.auth.me.query()
      .catch(() => {});
    await waitFor(() => seen.length > 0, 5000, 'a live audit row');
    sub.unsubscribe();
  });

  it('shows a row with its authenticated text, and 404s an unknown one', async () => {
    const row = await admin.client.audit.bySeq.query({ seq: 1 });
    expect(row.action).toBe('auth.setup');
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(row.canon).seq).toBe(1);
    const err = await admin.client.audit.bySeq.query({ seq: 999_999 }).catch((e) => e as TRPCClientError<never>);
    expect((err as TRPCClientError<never>).data).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('append-only table', () => {
  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(sql`update audit_events set actor_name = 'x' where seq = 1`).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_events where seq = 1`).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_events`).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_checkpoints`).rejects.toThrow(/append-only/);
  });
});

describe('appending', () => {
  const entry = (action: string) => ({
    at: new Date().toISOString(),
    actor: { type: 'system' as const, id: null, name: 'test' },
    ip: null,
    userAgent: null,
    action,
    target: null,
    outcome: 'success' as const,
    details: null,
    requestId: null,
  });
  const seqs = async () => (await sql`select seq from audit_events order by seq`).map((r) => Number(r.seq));

  it('keeps one gapless chain when another process appends in between, or a transaction rolls back', async () => {
    // A second repository has its own remembered head: it stands for a second core process.
    const other = createAuditRepository(core.platform.database.db);
    const key = deriveKey(core.platform.masterKey, 'audit-mac');
    const db = core.platform.database.db;
    await core.services.audit.recordMany([entry('test.first')]);
    await other.appendAlone([entry('test.other')], key);
    await core.services.audit.recordMany([entry('test.after-other'), entry('test.after-other')]);
    await Promise.all([
      core.services.audit.recordMany([entry('test.concurrent')]),
      other.appendAlone([entry('test.concurrent')], key),
      core.services.audit.recordMany([entry('test.concurrent')]),
    ]);
    await expect(
      db.transaction(async (tx) => {
        await other.append(tx, [entry('test.rolled-back')], key);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await other.appendAlone([entry('test.after-rollback')], key);
    await db.transaction((tx) => other.append(tx, [entry('test.in-transaction')], key));

    const all = await seqs();
    expect(all).toEqual(all.map((_, i) => i + 1));
    expect((await rowsOf('test.rolled-back')).length).toBe(0);
    expect((await rowsOf('test.after-rollback')).length).toBe(1);
    expect(other.stats.fast).toBeGreaterThan(0);
    expect(other.stats.fallback).toBeGreaterThan(0);
    const r = await core.services.audit.verify();
    expect(r.problem).toBeNull();
    expect(r.checkedRows).toBe(all.length);
  });
});

/** Tampers as a superuser would (triggers off), verifies, then puts everything back. */
async function tampered(change: (tx: postgres.TransactionSql) => Promise<unknown>) {
  const rows = await sql`select * from audit_events order by seq`;
  const cps = await sql`select * from audit_checkpoints order by seq`;
  await sql.begin(async (tx) => {
    await tx`alter table audit_events disable trigger user`;
    await tx`alter table audit_checkpoints disable trigger user`;
    await change(tx);
    await tx`alter table audit_events enable trigger user`;
    await tx`alter table audit_checkpoints enable trigger user`;
  });
  try {
    const r = await core.services.audit.verify();
    // The parallel walk over chunks must find exactly what the sequential one finds.
    for (const c of chunked) expect({ [c.name]: (await c.verify()).problem }).toEqual({ [c.name]: r.problem });
    return r;
  } finally {
    await sql.begin(async (tx) => {
      await tx`alter table audit_events disable trigger user`;
      await tx`alter table audit_checkpoints disable trigger user`;
      await tx`delete from audit_events`;
      await tx`delete from audit_checkpoints`;
      await tx`insert into audit_events ${tx(rows)}`;
      await tx`insert into audit_checkpoints ${tx(cps)}`;
      await tx`alter table audit_events enable trigger user`;
      await tx`alter table audit_checkpoints enable trigger user`;
    });
  }
}

describe('verification', () => {
  it('reports an intact chain with its checkpoints', async () => {
    const r = await core.services.audit.verify();
    for (const c of chunked) expect(await c.verify()).toMatchObject({ ok: true, checkedRows: r.checkedRows });
    expect(r.problem).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.checkedRows).toBe(r.lastSeq);
    expect(r.checkpoints.count).toBeGreaterThanOrEqual(2);
    expect(r.checkpoints.lastSeq).toBeLessThanOrEqual(r.lastSeq);
  });

  it('finds an edited column', async () => {
    const r = await tampered((tx) => tx`update audit_events set actor_name = 'Mallory' where seq = 4`);
    expect(r.problem).toMatchObject({ seq: 4, reason: 'edited' });
  });

  it('finds edited text even with a recomputed public hash chain (no MAC key)', async () => {
    const r = await tampered(async (tx) => {
      const { createHash } = await import('node:crypto');
      const rows = await tx`select seq, canon, hash from audit_events where seq >= 5 order by seq`;
      const [before] = await tx`select hash from audit_events where seq = 4`;
      let prev = before?.hash as string;
      for (const row of rows) {
        const canon =
          Number(row.seq) === 5 ? row.canon.replace('"outcome":"success"', '"outcome":"failure"') : row.canon;
        const hash = createHash('sha256').update(`${prev}\n${row.seq}\n${canon}`).digest('hex');
        await tx`update audit_events set canon = ${canon}, hash = ${hash}, outcome = ${JSON.parse(canon).outcome} where seq = ${row.seq}`;
        prev = hash;
      }
    });
    expect(r.problem).toMatchObject({ seq: 5, reason: 'edited' });
  });

  it('finds a deleted row', async () => {
    const r = await tampered((tx) => tx`delete from audit_events where seq = 6`);
    expect(r.problem).toMatchObject({ seq: 6, reason: 'missing' });
  });

  it('finds reordered rows', async () => {
    const r = await tampered(async (tx) => {
      await tx`update audit_events set seq = -7 where seq = 7`;
      await tx`update audit_events set seq = 7 where seq = 8`;
      await tx`update audit_events set seq = 8 where seq = -7`;
    });
    expect(r.problem).toMatchObject({ seq: 7, reason: 'reordered' });
  });

  it('finds an inserted row', async () => {
    const r = await tampered(async (tx) => {
      const { createHash } = await import('node:crypto');
      const rows = await tx`select * from audit_events where seq >= 9 order by seq desc`;
      for (const row of rows) await tx`update audit_events set seq = ${Number(row.seq) + 1} where seq = ${row.seq}`;
      const [prev] = await tx`select hash, mac from audit_events where seq = 8`;
      const forged = JSON.parse(rows.at(-1)?.canon);
      forged.seq = 9;
      forged.action = 'auth.logout';
      const canon = JSON.stringify(forged);
      const hash = createHash('sha256').update(`${prev?.hash}\n9\n${canon}`).digest('hex');
      await tx`insert into audit_events (seq, at, actor_type, actor_id, actor_name, ip, action, target_type, target_id, outcome, canon, hash, mac)
        values (9, ${forged.at}, ${forged.actor.type}, ${forged.actor.id}, ${forged.actor.name}, ${forged.ip}, ${forged.action},
                ${forged.target?.type ?? null}, ${forged.target?.id ?? null}, ${forged.outcome}, ${canon}, ${hash}, ${'0'.repeat(64)})`;
    });
    expect(r.problem).toMatchObject({ seq: 9, reason: 'inserted' });
  });

  it('finds rows deleted from the end after a checkpoint', async () => {
    const [cp] = await sql`select max(seq)::int as seq from audit_checkpoints`;
    const r = await tampered((tx) => tx`delete from audit_events where seq > ${cp!.seq - 3}`);
    expect(r.problem).toMatchObject({ seq: cp!.seq - 2, reason: 'truncated' });
  });

  it('finds a forged checkpoint', async () => {
    const r = await tampered(
      (tx) =>
        tx`update audit_checkpoints set at = '2020-01-01T00:00:00.000Z' where seq = (select min(seq) from audit_checkpoints)`,
    );
    expect(r.problem?.reason).toBe('signature invalid');
  });

  it('is reachable as audit.verify for admins', async () => {
    const r = await admin.client.audit.verify.mutate();
    expect(r.ok).toBe(true);
  });
});

describe('export bundles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bundle-'));
  let bundle: string;
  let fingerprint: string;

  it('exports with audit:export, refuses and audits anonymous callers', async () => {
    const anon = await fetch(`${core.url}/audit/export`);
    expect(anon.status).toBe(401);
    const [denied] =
      await sql`select outcome from audit_events where action = 'audit.export' order by seq desc limit 1`;
    expect(denied?.outcome).toBe('denied');
    const res = await admin.fetch(`${core.url}/audit/export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="serverbox-audit-.*\.jsonl"/);
    bundle = join(dir, 'bundle.jsonl');
    writeFileSync(bundle, await res.text());
    const key = (await (await fetch(`${core.url}/audit/public-key`)).json()) as {
      fingerprint: string;
      publicKey: string;
    };
    expect(key.publicKey).toMatch(/BEGIN PUBLIC KEY/);
    fingerprint = key.fingerprint;
    const bad = await admin.fetch(`${core.url}/audit/export?from=yesterday`);
    expect(bad.status).toBe(400);
  });

  it('verifies offline with only Node', async () => {
    const r = await run('node', [verifier, bundle, '--fingerprint', fingerprint], {});
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^OK: \d+ rows/);
    expect(r.code).toBe(0);
  });

  it('fails offline on an edited, a dropped or a re-signed bundle, naming the seq', async () => {
    const lines = readFileSync(bundle, 'utf8').trimEnd().split('\n');
    const edited = lines.map((l) => {
      const item = JSON.parse(l);
      if (item.type === 'row' && item.seq === 3)
        item.canon = item.canon.replace('"outcome":"success"', '"outcome":"failure"');
      return JSON.stringify(item);
    });
    writeFileSync(join(dir, 'edited.jsonl'), `${edited.join('\n')}\n`);
    const e = await run('node', [verifier, join(dir, 'edited.jsonl'), '--fingerprint', fingerprint], {});
    expect(e.code).toBe(1);
    expect(e.stdout).toMatch(/FAIL at seq 3: edited/);

    const dropped = lines.filter((l) => !l.startsWith('{"type":"row","seq":5,'));
    writeFileSync(join(dir, 'dropped.jsonl'), `${dropped.join('\n')}\n`);
    const d = await run('node', [verifier, join(dir, 'dropped.jsonl')], {});
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/FAIL at seq 5: missing/);

    const wrongKey = await run('node', [verifier, bundle, '--fingerprint', 'SHA256:somebodyelse'], {});
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toMatch(/signature invalid/);
  });
});
