import { request } from 'node:http';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPassword, setupAdmin, startCore, type TestCore } from './helpers/core.js';

// Hostile and malformed HTTP: every case gets a clear 4xx JSON answer, nothing is written,
// and the process keeps serving.

let core: TestCore;
let sql: postgres.Sql;
let cookie: string;
beforeAll(async () => {
  core = await startCore();
  sql = postgres(core.stores.databaseUrl, { max: 2, onnotice: () => {} });
  const admin = await setupAdmin(core);
  cookie = `sb_session=${admin.jar.get('sb_session')}`;
});
afterAll(async () => {
  await sql.end();
  await core.close();
});

const sessionCount = async () => (await sql`select count(*)::int as n from sessions`)[0]?.n as number;
const loginBody = JSON.stringify({ email: 'admin@example.com', password: adminPassword });

async function post(path: string, body: NonNullable<RequestInit['body']>, headers: Record<string, string>) {
  const res = await fetch(`${core.url}${path}`, { method: 'POST', body, headers });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // asserted below
  }
  return { status: res.status, json, type: res.headers.get('content-type') ?? '' };
}

describe('malformed requests', () => {
  it('answers malformed JSON with 400 and a JSON error', async () => {
    const before = await sessionCount();
    const r = await post('/trpc/auth.login', '{"email": "admin@example.com", ', { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/json/);
    expect(JSON.stringify(r.json)).toMatch(/PARSE_ERROR|BAD_REQUEST/);
    expect(await sessionCount()).toBe(before);
  });

  it('refuses bodies over 1 MiB with 413', async () => {
    const big = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(1024 * 1024 + 10) });
    // A fresh connection: the server answers before reading the body, then closes it.
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${core.url}/trpc/auth.login`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(big);
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    const small = await post('/trpc/auth.login', '{"email":"x"}', { 'content-type': 'application/json' });
    expect(small.status).toBe(400);
  });

  it('answers unknown procedures with 404', async () => {
    const r = await fetch(`${core.url}/trpc/nodes.destroyEverything`, { headers: { cookie } });
    expect(r.status).toBe(404);
    expect(JSON.stringify(await r.json())).toMatch(/NOT_FOUND/);
  });

  it('answers wrong input types with 400 naming the field', async () => {
    const r = await post('/trpc/auth.login', JSON.stringify({ email: 42, password: ['x'] }), {
      'content-type': 'application/json',
    });
    expect(r.status).toBe(400);
    const issues = (r.json as { error: { data: { issues: { path: string }[] } } }).error.data.issues;
    expect(issues.map((i) => i.path).sort()).toEqual(['email', 'password']);
  });

  it('refuses a mutation sent as GET', async () => {
    const r = await fetch(`${core.url}/trpc/auth.logout`, { headers: { cookie } });
    expect(r.status).toBe(405);
  });
});

describe('cross-site mutations with a valid admin cookie', () => {
  const cases: [string, Record<string, string>, NonNullable<RequestInit['body']>, number][] = [
    ['a foreign Origin', { 'content-type': 'application/json', origin: 'https://evil.example' }, '{}', 403],
    ['Sec-Fetch-Site: cross-site', { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, '{}', 403],
    ['Sec-Fetch-Site: same-site', { 'content-type': 'application/json', 'sec-fetch-site': 'same-site' }, '{}', 403],
    ['a text/plain body', { 'content-type': 'text/plain' }, '{}', 415],
    ['a form-encoded body', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1', 415],
    [
      'a cross-site form post',
      { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      'a=1',
      403,
    ],
    ['a multipart body', { 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\n\r\n--x--', 415],
    ['no content type', {}, '{}', 415],
  ];
  for (const [name, headers, body, status] of cases) {
    it(`refuses ${name} with ${status} and changes nothing`, async () => {
      const before = await sessionCount();
      const r = await post('/trpc/auth.logoutOthers', body, { ...headers, cookie });
      expect(r.status).toBe(status);
      expect(r.type).toMatch(/json/);
      const login = await post('/trpc/auth.login', loginBody, { ...headers });
      expect(login.status).toBe(status);
      expect(await sessionCount()).toBe(before);
    });
  }

  it('accepts the same-origin JSON mutation a browser sends', async () => {
    const r = await post('/trpc/auth.login', loginBody, {
      'content-type': 'application/json',
      origin: core.url,
      'sec-fetch-site': 'same-origin',
    });
    expect(r.status).toBe(200);
  });

  it('keeps serving after all of that', async () => {
    const r = await fetch(`${core.url}/healthz`);
    expect(await r.json()).toEqual({ status: 'ok' });
  });
});

describe('response headers', () => {
  it('sends no-referrer, a CSP and nosniff', async () => {
    const r = await fetch(`${core.url}/healthz`);
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
