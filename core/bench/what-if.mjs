// Builds a copy of core/dist with a proposed change applied, so its effect can be measured
// with the same benches (BENCH_CORE_DIST=<out>/core/dist). The changes are prototypes patched
// into the compiled JavaScript, not the real thing: they exist to size a core change before
// anyone makes it in core/src. Fails loudly when the compiled code no longer matches.
//
// usage: node core/bench/what-if.mjs <change[,change...]> <outDir>
//   prepared-session  the session lookup behind every authenticated request as a named
//                     prepared statement (drizzle .prepare() + sql.placeholder)
//   session-cache     authenticate() keeps a session row for 5 s in memory, dropped at once on
//                     the `sessions.revoked` bus event (apply with prepared-session)
//   direct-sse        events.onEvent served by a Hono route writing tRPC's SSE wire format
//                     straight to the socket, each event serialized once for all subscribers
//   event-stream-route  the real route of that change (modules/system/event-stream.route.ts,
//                     compiled in core/dist) mounted the way app.ts is to mount it
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { coreDist, repoRoot } from './lib/common.mjs';

const [which, out] = process.argv.slice(2);
if (!which || !out) {
  process.stderr.write(
    'usage: node core/bench/what-if.mjs <prepared-session|session-cache|direct-sse|event-stream-route>[,...] <outDir>\n',
  );
  process.exit(2);
}

function patch(file, pairs) {
  let s = readFileSync(file, 'utf8');
  for (const [from, to] of pairs) {
    if (!s.includes(from)) throw new Error(`${file}: the compiled code changed; cannot find:\n${from}`);
    s = s.replace(from, to);
  }
  writeFileSync(file, s);
}

const changes = {
  'prepared-session'(dist) {
    const file = join(dist, 'modules/access/sessions.repository.js');
    const s = readFileSync(file, 'utf8');
    const start = s.indexOf('        async findByTokenHash(tokenHash) {');
    const end = s.indexOf('        async isActive(');
    if (start < 0 || end < 0) throw new Error(`${file}: findByTokenHash not found`);
    writeFileSync(
      file,
      `${s.slice(0, start)}        async findByTokenHash(tokenHash) {
            const [row] = await findByTokenHashQuery.execute({ tokenHash });
            return row ?? null;
        },
${s.slice(end)}`,
    );
    patch(file, [
      [
        'export function createSessionRepository(db) {\n    return {',
        `export function createSessionRepository(db) {
    const findByTokenHashQuery = db
        .select({
        sessionId: sessions.id,
        createdAt: sessions.createdAt,
        lastSeenAt: sessions.lastSeenAt,
        expiresAt: sessions.expiresAt,
        userId: users.id,
        email: users.email,
        name: users.name,
        role: users.role,
        disabledAt: users.disabledAt,
    })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.tokenHash, sql.placeholder('tokenHash')), isNull(sessions.revokedAt)))
        .prepare('session_by_token_hash');
    return {`,
      ],
    ]);
  },

  'session-cache'(dist) {
    patch(join(dist, 'modules/access/auth.service.js'), [
      [
        '            const row = await d.sessions.findByTokenHash(hashToken(token));',
        `            const h = hashToken(token);
            const hit = sessionCache.get(h);
            let row;
            if (hit && hit.until > Date.now()) row = hit.row;
            else {
                row = await d.sessions.findByTokenHash(h);
                if (row) sessionCache.set(h, { row, until: Date.now() + 5000 });
                else sessionCache.delete(h);
            }`,
      ],
      [
        '    return {\n        async needsSetup()',
        `    const sessionCache = new Map();
    d.events.on('sessions.revoked', ({ sessionIds }) => {
        for (const [k, v] of sessionCache) if (sessionIds.includes(v.row.sessionId)) sessionCache.delete(k);
    });
    return {
        async needsSetup()`,
      ],
    ]);
  },

  'direct-sse'(dist) {
    patch(join(dist, 'app.js'), [
      [
        "import { appRouter } from './trpc/router.js';",
        `import { appRouter } from './trpc/router.js';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { can as actorCan } from './modules/access/permissions.js';
// WHAT-IF: the event stream written straight to the socket in tRPC's SSE wire format.
const frames = new WeakMap();
const frameOf = (e) => {
    let f = frames.get(e);
    if (!f) {
        f = Buffer.from(\`data: \${JSON.stringify(e)}\\nid: \${e.id}\\n\\n\`);
        frames.set(e, f);
    }
    return f;
};
function directEvents(o) {
    return async (c) => {
        const actor = await o.services.auth.authenticate(getCookie(c, sessionCookieName));
        if (!actor || !actorCan(actor, 'events:read')) return c.json({ error: { code: 'UNAUTHORIZED', message: 'Sign in to continue.' } }, 401);
        let since = null;
        try { since = JSON.parse(c.req.query('input') ?? '{}')?.lastEventId ?? null; } catch { since = null; }
        const out = c.env.outgoing;
        out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', 'x-content-type-options': 'nosniff' });
        out.write('event: connected\\ndata: {"reconnectAfterInactivityMs":25000}\\n\\n');
        const ac = new AbortController();
        out.on('close', () => ac.abort());
        const ping = setInterval(() => out.write('event: ping\\ndata: \\n\\n'), 10000);
        (async () => {
            try {
                for await (const e of o.services.eventStream.stream(actor, { since, signal: ac.signal })) {
                    if (!out.write(frameOf(e))) await new Promise((r) => { out.once('drain', r); ac.signal.addEventListener('abort', r, { once: true }); });
                }
            } catch (err) {
                out.write(\`event: serialized-error\\ndata: \${JSON.stringify({ message: err.message })}\\n\\n\`);
            } finally {
                clearInterval(ping);
                out.end();
            }
        })();
        return RESPONSE_ALREADY_SENT;
    };
}`,
      ],
      [
        "    app.use('/trpc/*', bodyLimit({",
        "    app.get('/trpc/events.onEvent', directEvents(o));\n    app.use('/trpc/*', bodyLimit({",
      ],
    ]);
  },

  'event-stream-route'(dist) {
    if (!existsSync(join(dist, 'modules/system/event-stream.route.js'))) {
      throw new Error(
        'core/dist has no event-stream.route.js: build the core first (npm run build -w @serverbox/core)',
      );
    }
    if (readFileSync(join(dist, 'app.js'), 'utf8').includes('mountEventStream')) {
      throw new Error('core/dist/app.js mounts the event stream route already: measure core/dist as it is');
    }
    patch(join(dist, 'app.js'), [
      [
        "import { appRouter } from './trpc/router.js';",
        "import { appRouter } from './trpc/router.js';\nimport { mountEventStream } from './modules/system/event-stream.route.js';",
      ],
      [
        "    app.use('/trpc/*', bodyLimit({",
        "    mountEventStream(app, { services: o.services, log: o.log });\n    app.use('/trpc/*', bodyLimit({",
      ],
    ]);
  },
};

const wanted = which.split(',');
for (const w of wanted) if (!changes[w]) throw new Error(`unknown change ${w}`);
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'core'), { recursive: true });
cpSync(coreDist, join(out, 'core/dist'), { recursive: true });
cpSync(join(repoRoot, 'core/drizzle'), join(out, 'core/drizzle'), { recursive: true });
cpSync(join(repoRoot, 'core/package.json'), join(out, 'core/package.json'));
// Module resolution from <out>/core/dist walks up to <out>/node_modules.
symlinkSync(join(repoRoot, 'node_modules'), join(out, 'node_modules'));
for (const w of wanted) changes[w](join(out, 'core/dist'));
console.log(`BENCH_CORE_DIST=${join(out, 'core/dist')}   (${wanted.join(' + ')})`);
