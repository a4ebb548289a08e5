// Permission check overhead per request, in-process (no HTTP, no database): the core's own
// tRPC procedures (core/dist trpc/init.js, router.js, context.js) called through tRPC's
// server-side caller, with a fresh context per call as the HTTP adapter makes per request,
// side by side in alternating rounds:
//
//   appRouter system.health      can('system:read') + the core's middlewares (as served)
//   tiny router, can(...)        the same builder and resolver in a one-procedure router
//   tiny router, publicProcedure the same resolver and middlewares without the check
//     + the can() middleware rebuilt step by step (empty middleware, getActor, ctx merge)
//   tiny router, bare t.procedure  a fresh initTRPC, no middleware at all (tRPC's floor)
//   the resolver called directly
//
// The resolver is the real one (`({ ctx }) => ctx.services.system.health()`) over a stub
// system service that answers at once, and the actor comes from a stub auth service that
// answers at once: so the differences are the check and the plumbing, not I/O. Last, the raw
// `can(actor, permission)` from core/dist modules/access/permissions.js in a tight loop.
//
// usage: node core/bench/audit-permission.bench.mjs   (core built; no PostgreSQL or Redis)
//        Knobs (env): BENCH_CALLS=100000 (calls per variant and round), BENCH_ROUNDS=5.
import { initTRPC } from '@trpc/server';
import { fromCore } from './lib/audit.mjs';
import { coreLabel, fmt, header, median, requireBuild, runBench, table } from './lib/common.mjs';

const calls = Number(process.env.BENCH_CALLS ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

runBench('audit-permission', 600, async () => {
  requireBuild();
  const init = await fromCore('trpc/init.js');
  const { appRouter } = await fromCore('trpc/router.js');
  const { createContext } = await fromCore('trpc/context.js');
  const { can: actorCan, rolePermissions } = await fromCore('modules/access/permissions.js');
  const { createLogger } = await fromCore('platform/logger.js');

  const actor = {
    kind: 'user',
    userId: '6b1f0a52-8d3e-4f1e-9a51-2f7c1d9e0b11',
    sessionId: 's-1',
    email: 'ops@example.com',
    name: 'Ops',
    role: 'operator',
    reauthAt: null,
  };
  const health = { ok: true, version: '0.1.0', database: 'up', redis: 'up' };
  // The actor as the core resolves it per request (services.resolveActor; older builds asked
  // services.auth.authenticate), answered at once.
  const services = {
    resolveActor: async () => actor,
    auth: { authenticate: async () => actor },
    system: { health: async () => health },
  };
  const log = createLogger({ level: 'silent' });
  const resHeaders = new Headers();
  const ctx = () =>
    createContext({
      services,
      req: { ip: '127.0.0.1', userAgent: 'bench', requestId: 'req-1', secure: false, sessionToken: 'token' },
      resHeaders,
      log,
    });

  // The resolver of system.health, verbatim.
  const resolver = ({ ctx: c }) => c.services.system.health();
  // Where the check's cost goes: the can() middleware built up step by step on publicProcedure.
  const step1 = init.publicProcedure.use(({ next }) => next());
  const step2 = init.publicProcedure.use(async ({ ctx: c, next }) => {
    await c.getActor();
    return next();
  });
  const step3 = init.publicProcedure.use(async ({ ctx: c, next }) => {
    const actor = await c.getActor();
    return next({ ctx: { actor } });
  });
  const tiny = init.router({
    guarded: init.can('system:read').query(resolver),
    open: init.publicProcedure.query(resolver),
    step1: step1.query(resolver),
    step2: step2.query(resolver),
    step3: step3.query(resolver),
  });
  const bare = initTRPC.context().create();
  const bareRouter = bare.router({ open: bare.procedure.query(resolver) });

  const appCaller = init.createCallerFactory(appRouter);
  const tinyCaller = init.createCallerFactory(tiny);
  const bareCaller = bare.createCallerFactory(bareRouter);

  const variants = {
    'appRouter system.health (can + middlewares)': () => appCaller(ctx()).system.health(),
    "tiny router, can('system:read')": () => tinyCaller(ctx()).guarded(),
    'tiny router, publicProcedure (no check)': () => tinyCaller(ctx()).open(),
    '  + a middleware that only calls next()': () => tinyCaller(ctx()).step1(),
    '  + await ctx.getActor() in it': () => tinyCaller(ctx()).step2(),
    '  + next({ ctx: { actor } }) (= can() minus can())': () => tinyCaller(ctx()).step3(),
    'tiny router, bare t.procedure': () => bareCaller(ctx()).open(),
    'resolver called directly': () => resolver({ ctx: ctx() }),
  };
  // Every variant must answer the same thing before it is timed.
  for (const [name, f] of Object.entries(variants)) {
    const r = await f();
    if (r !== health) throw new Error(`${name} answered ${JSON.stringify(r)}`);
  }

  header('Permission check overhead per call (tRPC server-side caller, in-process)', [
    `core: ${coreLabel().replace('main.js', 'trpc/')}; actor role operator (holds system:read); fresh context per call`,
    `${rounds} alternating rounds of ${calls.toLocaleString('en-US')} sequential awaited calls per variant, after a warm-up`,
  ]);

  async function timeCalls(f, n) {
    const s = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await f();
    return Number(process.hrtime.bigint() - s) / n;
  }
  for (const f of Object.values(variants)) await timeCalls(f, Math.min(calls, 20_000)); // warm-up (JIT)
  const ns = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    const order = Object.entries(variants);
    if (r % 2) order.reverse();
    for (const [name, f] of order) ns[name].push(await timeCalls(f, calls));
  }
  const med = Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, median(v)]));
  const base = med['tiny router, publicProcedure (no check)'];
  table(
    ['variant', ...Array.from({ length: rounds }, (_, i) => `round ${i + 1} ns`), 'median ns/call', 'vs no check ns'],
    Object.entries(ns).map(([name, v]) => [
      name,
      ...v.map((x) => fmt(x, 0)),
      fmt(med[name], 0),
      fmt(med[name] - base, 0),
    ]),
  );

  // The raw check: an array lookup in the role's permission list.
  const viewer = { ...actor, role: 'viewer' };
  const admin = { ...actor, role: 'admin' };
  const loops = 20_000_000;
  const adminLast = rolePermissions.admin.at(-1);
  const raw = {
    "can(operator, 'system:read') → true": [actor, 'system:read'],
    [`can(admin, '${adminLast}') → true (last of ${rolePermissions.admin.length})`]: [admin, adminLast],
    "can(viewer, 'audit:read') → false": [viewer, 'audit:read'],
    "can(null, 'system:read') → false": [null, 'system:read'],
  };
  const rawNs = Object.fromEntries(Object.keys(raw).map((k) => [k, []]));
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    for (const [name, [a, p]] of Object.entries(raw)) {
      const s = process.hrtime.bigint();
      for (let i = 0; i < loops; i++) if (actorCan(a, p)) sink++;
      rawNs[name].push(Number(process.hrtime.bigint() - s) / loops);
    }
  }
  console.log('');
  table(
    ['raw can(actor, permission)', 'median ns/call', 'min ns', 'max ns'],
    Object.entries(rawNs).map(([name, v]) => [name, fmt(median(v), 2), fmt(Math.min(...v), 2), fmt(Math.max(...v), 2)]),
  );
  if (sink === 0) throw new Error('the loop was optimised away');

  const guarded = med["tiny router, can('system:read')"];
  const app = med['appRouter system.health (can + middlewares)'];
  const bareNs = med['tiny router, bare t.procedure'];
  const direct = med['resolver called directly'];
  console.log(
    `\npermission check through tRPC (can() middleware: getActor, can(), next({ ctx: { actor } })): ${fmt(guarded - base, 0)} ns per call` +
      ` (${fmt((100 * (guarded - base)) / guarded, 0)}% of the guarded call); appRouter vs tiny router: ${fmt(app - guarded, 0)} ns` +
      `\nof which: a middleware layer ${fmt(med['  + a middleware that only calls next()'] - base, 0)} ns, awaiting getActor() ${fmt(med['  + await ctx.getActor() in it'] - med['  + a middleware that only calls next()'], 0)} ns, next({ ctx: { actor } }) ${fmt(med['  + next({ ctx: { actor } }) (= can() minus can())'] - med['  + await ctx.getActor() in it'], 0)} ns, the rest (can() itself, meta) ${fmt(guarded - med['  + next({ ctx: { actor } }) (= can() minus can())'], 0)} ns (noise: the raw can() below is ~10 ns)` +
      `\nthe core's middlewares (mapErrors + auditTrail) over a bare procedure: ${fmt(base - bareNs, 0)} ns; tRPC caller over a direct call: ${fmt(bareNs - direct, 0)} ns` +
      `\nraw can(): ${fmt(median(rawNs["can(operator, 'system:read') → true"]), 1)} ns`,
  );
});
