import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../src/platform/events/topics.js';
import { type Browser, browser, collect, setupAdmin, startCore, type TestCore, waitFor } from './helpers/core.js';
import { addNode } from './helpers/nodes.js';
import { type ClientKey, clientKey, type SshdNode, startSshd } from './helpers/sshd.mjs';

// File transfer end to end: the real app over real HTTP, real PostgreSQL and Redis, and a real
// OpenSSH node on loopback logging in as sbx-sudo (passwordless sudo). The node is this
// machine, so the test checks the files it writes directly on disk.

const MiB = 1024 * 1024;
const limit = 32 * MiB;

let core: TestCore;
let admin: Browser;
let operator: Browser;
let viewer: Browser;
let key: ClientKey;
let sshd: SshdNode;
let nodeId: string;
let deadNodeId: string;
/** A directory owned by sbx-sudo, the node's login user. */
let dir: string;
let uid: number;
let gid: number;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const filesUrl = (id: string, path: string, extra: Record<string, string> = {}) =>
  `${core.url}/api/nodes/${id}/files?${new URLSearchParams({ path, ...extra })}`;
const uploadHeaders = { 'content-type': 'application/octet-stream', 'x-serverbox-transfer': '1' };
const temps = () => readdirSync(dir).filter((f) => /\.sbx-[0-9a-f]{32}\.tmp$/.test(f));

async function invited(email: string, role: 'operator' | 'viewer') {
  const { token } = await admin.client.users.invite.mutate({ email, role });
  const b = browser(core.url);
  await b.client.users.acceptInvite.mutate({ token, name: email, password: 'a good long passphrase' });
  return b;
}

function put(
  b: Browser | null,
  path: string,
  body: Buffer,
  opts: { headers?: Record<string, string>; query?: Record<string, string>; id?: string } = {},
) {
  return (b?.fetch ?? fetch)(filesUrl(opts.id ?? nodeId, path, opts.query), {
    method: 'PUT',
    headers: { ...uploadHeaders, ...opts.headers },
    body,
  });
}
function get(
  b: Browser | null,
  path: string,
  opts: { headers?: Record<string, string>; query?: Record<string, string>; id?: string } = {},
) {
  return (b?.fetch ?? fetch)(filesUrl(opts.id ?? nodeId, path, opts.query), { headers: opts.headers });
}
const errorOf = async (r: Response) => ((await r.json()) as { error: { code: string; message: string } }).error;
const cookieOf = (b: Browser) => [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ');

/**
 * A PUT over a raw socket, so the body can be paced or cut: `Content-Length: length`, then
 * `chunks` written with `delayMs` between them; `cut` destroys the request after them.
 */
function rawPut(
  b: Browser,
  path: string,
  length: number,
  chunks: Buffer[],
  opts: { delayMs?: number; cut?: boolean } = {},
): Promise<{ status: number; body: string } | 'cut'> {
  return new Promise((resolve, reject) => {
    const req = request(filesUrl(nodeId, path), {
      method: 'PUT',
      headers: { ...uploadHeaders, 'content-length': String(length), cookie: cookieOf(b) },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (err) => (opts.cut ? resolve('cut') : reject(err)));
    void (async () => {
      for (const c of chunks) {
        if (req.destroyed) return;
        req.write(c);
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      }
      if (opts.cut) {
        await new Promise((r) => setTimeout(r, 200));
        req.destroy();
        resolve('cut');
      } else req.end();
    })();
  });
}

async function auditRows(action: string) {
  return (await admin.client.audit.list.query({ action, limit: 200 })).rows;
}

beforeAll(async () => {
  [core, key, sshd] = await Promise.all([
    startCore({ SERVERBOX_FILE_MAX_BYTES: String(limit) }),
    clientKey(),
    startSshd({ name: 'files', user: 'sbx-sudo' }),
  ]);
  await sshd.authorize(key.publicKey);
  admin = await setupAdmin(core);
  nodeId = await addNode(admin, sshd, key.privateKey, { name: 'files-node', username: 'sbx-sudo', wait: false });
  // Nothing listens on this port: a node the core cannot reach.
  deadNodeId = await addNode(admin, { ...sshd, port: 9 }, key.privateKey, {
    name: 'files-dead',
    username: 'sbx-sudo',
    wait: false,
  });
  await waitFor(async () => (await admin.client.nodes.get.query({ id: nodeId })).status === 'online', 20_000, 'online');
  operator = await invited('op@example.com', 'operator');
  viewer = await invited('view@example.com', 'viewer');
  uid = Number(execFileSync('id', ['-u', 'sbx-sudo'], { encoding: 'utf8' }));
  gid = Number(execFileSync('id', ['-g', 'sbx-sudo'], { encoding: 'utf8' }));
  dir = `/tmp/sbx-files-${randomBytes(6).toString('hex')}`;
  mkdirSync(dir, { mode: 0o755 });
  chownSync(dir, uid, gid);
}, 120_000);
afterAll(async () => {
  await core?.close();
  await sshd?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('round trip', () => {
  it('uploads and downloads a 20 MiB random file byte for byte, with progress for the uploader only', async () => {
    const adminTab = collect<BusEvent>();
    const opTab = collect<BusEvent>();
    const subs = [
      admin.client.events.onEvent.subscribe(undefined, { onData: (e) => adminTab.push(e.data as BusEvent) }),
      operator.client.events.onEvent.subscribe(undefined, { onData: (e) => opTab.push(e.data as BusEvent) }),
    ];
    await new Promise((r) => setTimeout(r, 300));
    const data = randomBytes(20 * MiB);
    const path = `${dir}/random.bin`;
    const res = await put(admin, path, data, { query: { transferId: 'rt-up' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ path, bytes: data.length, sha256: sha(data), transferId: 'rt-up' });
    expect(sha(readFileSync(path))).toBe(sha(data));
    const st = statSync(path);
    expect(st.mode & 0o7777).toBe(0o644);
    expect(st.uid).toBe(uid);
    expect(temps()).toEqual([]);

    const down = await get(admin, path, { query: { transferId: 'rt-down' } });
    expect(down.status).toBe(200);
    expect(down.headers.get('content-length')).toBe(String(data.length));
    expect(down.headers.get('content-type')).toBe('application/octet-stream');
    expect(down.headers.get('content-disposition')).toBe(
      `attachment; filename="random.bin"; filename*=UTF-8''random.bin`,
    );
    expect(down.headers.get('x-content-type-options')).toBe('nosniff');
    expect(sha(Buffer.from(await down.arrayBuffer()))).toBe(sha(data));

    type Progress = Extract<BusEvent, { topic: 'files.progress' }>;
    const progressOf = (items: BusEvent[], id: string) =>
      items.filter((e): e is Progress => e.topic === 'files.progress' && e.data.transferId === id);
    await adminTab.until((items) => progressOf(items, 'rt-down').some((e) => e.data.done), 5000, 'download done');
    for (const [id, direction] of [
      ['rt-up', 'upload'],
      ['rt-down', 'download'],
    ] as const) {
      const events = progressOf(adminTab.items, id);
      const last = events.at(-1)?.data;
      expect(last).toMatchObject({ direction, path, bytes: data.length, total: data.length, done: true });
      expect(last?.error).toBeUndefined();
      expect(last?.node.id).toBe(nodeId);
      // Throttled: a handful of events, not one per chunk of the socket.
      expect(events.length).toBeLessThan(60);
    }
    expect(progressOf(opTab.items, 'rt-up')).toEqual([]);
    for (const s of subs) s.unsubscribe();

    const row = (await auditRows('files.put')).find((r) => (r.details as { path?: string })?.path === path);
    expect(row).toMatchObject({
      outcome: 'success',
      target: { type: 'node', id: nodeId, name: 'files-node' },
      details: { path, bytes: data.length, sha256: sha(data), mode: '0644' },
    });
    await waitFor(
      async () => (await auditRows('files.get')).some((r) => r.outcome === 'success' && r.details?.path === path),
      5000,
      'download audited',
    );
    const got = (await auditRows('files.get')).find((r) => r.details?.path === path);
    expect(got?.details).toMatchObject({ path, bytes: data.length });
  });

  it('sets the requested mode, handles empty files and names that look like shell', async () => {
    const secret = `${dir}/secret.txt`;
    expect((await put(admin, secret, Buffer.from('s3cret\n'), { query: { mode: '0600' } })).status).toBe(200);
    expect(statSync(secret).mode & 0o777).toBe(0o600);

    const empty = `${dir}/empty`;
    expect((await put(admin, empty, Buffer.alloc(0))).status).toBe(200);
    expect(readFileSync(empty).length).toBe(0);
    const e = await get(admin, empty);
    expect(e.status).toBe(200);
    expect((await e.arrayBuffer()).byteLength).toBe(0);

    // Valid absolute names that a shell would execute if they were ever pasted in unquoted.
    for (const name of ['$(touch pwned)', '-rf', '`touch pwned`; rm -rf x', 'it\'s "quoted" & spaced']) {
      const path = `${dir}/${name}`;
      const body = Buffer.from(`content of ${name}`);
      const r = await put(admin, path, body);
      expect(r.status, name).toBe(200);
      expect(readFileSync(path).toString()).toBe(body.toString());
      const back = await get(admin, path);
      expect(Buffer.from(await back.arrayBuffer()).toString()).toBe(body.toString());
    }
    expect(existsSync(`${dir}/pwned`)).toBe(false);
    expect(existsSync('pwned')).toBe(false);
    expect(existsSync('/home/sbx-sudo/pwned')).toBe(false);
    expect(temps()).toEqual([]);

    const weird = await get(admin, `${dir}/$(touch pwned)`);
    expect(weird.headers.get('content-disposition')).toMatch(
      /^attachment; filename="[A-Za-z0-9._-]+"; filename\*=UTF-8''/,
    );
  });
});

describe('atomic replace', () => {
  it('a concurrent reader sees the old file or the new one, never a part; no temp file stays', async () => {
    const path = `${dir}/atomic.bin`;
    const before = Buffer.alloc(4 * MiB, 'a');
    const after = Buffer.alloc(4 * MiB, 'b');
    expect((await put(admin, path, before)).status).toBe(200);

    let reading = true;
    let samples = 0;
    let sawTemp = false;
    const bad: string[] = [];
    const reader = (async () => {
      while (reading) {
        const b = readFileSync(path);
        samples++;
        if (!(b.equals(before) || b.equals(after))) bad.push(`length ${b.length}, first ${b[0]}, last ${b.at(-1)}`);
        if (temps().length > 0) sawTemp = true;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    // Paced: 64 pieces of 64 KiB, 10 ms apart, so the reader samples while the temp file grows.
    const pieces = Array.from({ length: 64 }, (_, i) => after.subarray(i * 64 * 1024, (i + 1) * 64 * 1024));
    const r = await rawPut(admin, path, after.length, pieces, { delayMs: 10 });
    reading = false;
    await reader;
    expect(r).toMatchObject({ status: 200 });
    expect(bad).toEqual([]);
    expect(sawTemp).toBe(true);
    expect(samples).toBeGreaterThan(20);
    expect(readFileSync(path).equals(after)).toBe(true);
    expect(temps()).toEqual([]);
  });

  it('an upload the client cuts off mid-stream leaves the old file intact and no temp file', async () => {
    const path = `${dir}/kept.bin`;
    const old = randomBytes(MiB);
    expect((await put(admin, path, old)).status).toBe(200);
    const partial = Array.from({ length: 8 }, () => randomBytes(256 * 1024)); // 2 of 8 MiB
    const r = await rawPut(admin, path, 8 * MiB, partial, { delayMs: 20, cut: true });
    expect(r).toBe('cut');
    await waitFor(
      async () => (await auditRows('files.put')).some((row) => row.details?.path === path && row.outcome === 'failure'),
      15_000,
      'failed upload audited',
    );
    await waitFor(() => temps().length === 0, 10_000, 'temp file removed');
    expect(readFileSync(path).equals(old)).toBe(true);
    const row = (await auditRows('files.put')).find((x) => x.details?.path === path && x.outcome === 'failure');
    expect((row?.details as { bytes?: number } | undefined)?.bytes).toBeLessThan(8 * MiB);
  });
});

describe('limits and hostile input', () => {
  it('refuses an upload over the size limit with 413 before anything is written', async () => {
    const path = `${dir}/too-big.bin`;
    const r = await rawPut(admin, path, limit + 1, []);
    expect(r).toMatchObject({ status: 413 });
    expect(JSON.parse((r as { body: string }).body).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(existsSync(path)).toBe(false);
    expect(temps()).toEqual([]);
    // A body within the limit but longer than declared cannot happen over HTTP/1.1; no length at all:
    const chunked = await fetch(filesUrl(nodeId, path), {
      method: 'PUT',
      headers: { ...uploadHeaders, cookie: cookieOf(admin) },
      body: new ReadableStream({
        start(c) {
          c.enqueue(new Uint8Array(10));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(411);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses to download a file over the size limit with 413', async () => {
    const path = `${dir}/sparse-big.bin`;
    writeFileSync(path, '');
    truncateSync(path, limit + 1);
    chownSync(path, uid, gid);
    const r = await get(admin, path);
    expect(r.status).toBe(413);
    expect((await errorOf(r)).message).toMatch(/limit is 33554432 bytes/);
  });

  it('answers 400 for hostile or malformed paths, on both routes, and writes nothing', async () => {
    const hostile = [
      '../etc/passwd',
      `${dir}/../escape`,
      'relative/file',
      '$(touch x)',
      '-rf',
      `${dir}/nul\0byte`,
      `${dir}/new\nline`,
      `${dir}/`,
      '/',
      '',
      `/${'a'.repeat(256)}`,
      `/${'a/'.repeat(2100)}x`,
    ];
    for (const path of hostile) {
      const p = await put(admin, path, Buffer.from('x'));
      expect(p.status, `PUT ${JSON.stringify(path)}`).toBe(400);
      const g = await get(admin, path);
      expect(g.status, `GET ${JSON.stringify(path)}`).toBe(400);
    }
    expect(existsSync('/etc/passwd') && readFileSync('/etc/passwd', 'utf8').length > 1).toBe(true);
    expect(existsSync(`/tmp/escape`)).toBe(false);
    expect(existsSync('x')).toBe(false);
    const invalidMode = await put(admin, `${dir}/mode`, Buffer.from('x'), { query: { mode: '4755' } });
    expect(invalidMode.status).toBe(400);
    expect(existsSync(`${dir}/mode`)).toBe(false);
  });

  it('downloads regular files only: directories, symlinks and devices are 400, a missing file 404', async () => {
    const sub = `${dir}/subdir`;
    mkdirSync(sub);
    const dirGet = await get(admin, sub);
    expect(dirGet.status).toBe(400);
    expect((await errorOf(dirGet)).message).toMatch(/is a directory/);
    expect((await put(admin, sub, Buffer.from('x'))).status).toBe(400);
    expect(lstatSync(sub).isDirectory()).toBe(true);

    symlinkSync('/etc/hostname', `${dir}/link`);
    const link = await get(admin, `${dir}/link`);
    expect(link.status).toBe(400);
    expect((await errorOf(link)).message).toMatch(/symbolic link/);
    expect((await get(admin, '/dev/null')).status).toBe(400);
    expect((await get(admin, `${dir}/nothing-here`)).status).toBe(404);
    const head = await admin.fetch(filesUrl(nodeId, `${dir}/empty`), { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect((await put(admin, `${dir}/no-such-dir/file`, Buffer.from('x'))).status).toBe(404);
  });

  it('writes and reads as root only when asked, and only for admins', async () => {
    const rootDir = `${dir}/root-owned`;
    mkdirSync(rootDir, { mode: 0o700 }); // owned by root: sbx-sudo can neither write nor read here
    const path = `${rootDir}/conf`;
    const userTry = await put(admin, path, Buffer.from('x'));
    expect(userTry.status).toBe(403);
    expect((await errorOf(userTry)).message).toMatch(/cannot write/);
    const asRoot = await put(admin, path, Buffer.from('root data'), { query: { root: '1', mode: '0640' } });
    expect(asRoot.status).toBe(200);
    expect(statSync(path).uid).toBe(0);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect((await get(admin, path)).status).toBe(404); // the directory hides it from sbx-sudo
    const read = await get(admin, path, { query: { root: '1' } });
    expect(Buffer.from(await read.arrayBuffer()).toString()).toBe('root data');
    const opRoot = await get(operator, path, { query: { root: '1' } });
    expect(opRoot.status).toBe(403);
    expect((await errorOf(opRoot)).message).toMatch(/as root needs the files:write/);
  });
});

describe('who may transfer', () => {
  it('operators download but may not upload (403, audited as denied); viewers may do neither', async () => {
    const path = `${dir}/shared.txt`;
    expect((await put(admin, path, Buffer.from('shared\n'))).status).toBe(200);
    const g = await get(operator, path);
    expect(g.status).toBe(200);
    expect(await g.text()).toBe('shared\n');

    const p = await put(operator, path, Buffer.from('evil\n'));
    expect(p.status).toBe(403);
    expect(await errorOf(p)).toMatchObject({
      code: 'FORBIDDEN',
      message: 'You lack the permission files:write.',
    });
    expect(readFileSync(path, 'utf8')).toBe('shared\n');
    const denied = (await auditRows('files.put')).find(
      (r) => r.outcome === 'denied' && r.actor.name === 'op@example.com',
    );
    expect(denied).toMatchObject({ target: { type: 'node', id: nodeId }, details: { path } });

    expect((await get(viewer, path)).status).toBe(403);
    expect((await put(viewer, path, Buffer.from('evil\n'))).status).toBe(403);
    expect(
      (await auditRows('files.get')).some((r) => r.outcome === 'denied' && r.actor.name === 'view@example.com'),
    ).toBe(true);
  });

  it('refuses cross-site uploads and uploads without the transfer header (403)', async () => {
    const path = `${dir}/csrf.txt`;
    const cross = await put(admin, path, Buffer.from('x'), { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(cross.status).toBe(403);
    const origin = await put(admin, path, Buffer.from('x'), { headers: { origin: 'https://evil.example' } });
    expect(origin.status).toBe(403);
    const bare = await admin.fetch(filesUrl(nodeId, path), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from('x'),
    });
    expect(bare.status).toBe(403);
    expect((await errorOf(bare)).message).toMatch(/X-Serverbox-Transfer: 1/);
    const form = await put(admin, path, Buffer.from('x'), { headers: { 'content-type': 'text/plain' } });
    expect(form.status).toBe(415);
    expect(existsSync(path)).toBe(false);
    expect((await get(admin, `${dir}/shared.txt`, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
  });

  it('answers 401 to anonymous callers on both routes', async () => {
    const path = `${dir}/anon.txt`;
    const p = await put(null, path, Buffer.from('x'));
    expect(p.status).toBe(401);
    expect((await get(null, `${dir}/shared.txt`)).status).toBe(401);
    expect(existsSync(path)).toBe(false);
    expect((await auditRows('files.put')).some((r) => r.outcome === 'denied' && r.actor.type === 'anonymous')).toBe(
      true,
    );
  });

  it('answers 404 for a node that does not exist', async () => {
    expect((await get(admin, `${dir}/shared.txt`, { id: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    expect((await get(admin, `${dir}/shared.txt`, { id: 'not-a-uuid' })).status).toBe(404);
  });

  it('answers 502 with a clear message when the node cannot be reached', async () => {
    const g = await get(admin, `${dir}/shared.txt`, { id: deadNodeId });
    expect(g.status).toBe(502);
    expect((await errorOf(g)).message).toMatch(/cannot reach files-dead \(127\.0\.0\.1:9\)/);
    const p = await put(admin, `${dir}/unreached.txt`, Buffer.from('x'), { id: deadNodeId });
    expect(p.status).toBe(502);
    expect((await errorOf(p)).message).toMatch(/files-dead/);
    const row = (await auditRows('files.put')).find((r) => r.target?.id === deadNodeId);
    expect(row).toMatchObject({ outcome: 'failure', details: { error: { code: 'BAD_GATEWAY' } } });
  });
});
