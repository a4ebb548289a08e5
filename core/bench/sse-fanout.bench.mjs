// Live-event fan-out: N concurrent SSE subscribers (tRPC `events.onEvent`, one signed-in
// session shared by all) on one core process; the bench publishes events into the Redis
// stream exactly as the core's event bus does and measures, per delivered event, the lag
// from publish to receipt, the events lost, and the core's memory and CPU.
//
// usage: node core/bench/sse-fanout.bench.mjs   (TEST_PG_URL / TEST_REDIS_URL set; core built)
// Knobs (env): BENCH_SUBSCRIBERS=1000, BENCH_RATE=10 (events/s), BENCH_SECONDS=20.
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import {
  coreDist,
  coreLabel,
  coreWithStores,
  fmt,
  header,
  procSample,
  requireBuild,
  runBench,
  sleep,
  summarize,
  table,
} from './lib/common.mjs';

const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const rate = Number(process.env.BENCH_RATE ?? 10);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const events = Math.round(rate * seconds);
const rampConcurrency = 50;
const drainSeconds = Number(process.env.BENCH_DRAIN_SECONDS ?? 30);
const goalP99 = 100;
const streamKey = 'serverbox:events'; // as core/src/platform/events/bus.ts
const topic = 'auth.signedIn'; // visible to admins (permission activity:read)

/** One raw SSE connection, parsed by hand (lighter than an EventSource object). */
function subscribe(url, cookie, onEvent) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const sub = { connectedMs: 0, received: 0, dupes: 0, outOfOrder: 0, lastSeq: -1, ended: false, req: null };
    const req = http.get(
      `${url}/trpc/events.onEvent?input=${encodeURIComponent('{}')}`,
      { agent: false, headers: { cookie, accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`subscription answered ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        let buf = '';
        let ev = '';
        let data = '';
        res.on('data', (chunk) => {
          const now = performance.now();
          buf += chunk;
          let nl = buf.indexOf('\n');
          while (nl >= 0) {
            const line = buf.slice(0, nl).replace(/\r$/, '');
            buf = buf.slice(nl + 1);
            if (line === '') {
              if (ev === 'connected') {
                sub.connectedMs = now - t0;
                resolve(sub);
              } else if (data && (ev === '' || ev === 'message')) {
                onEvent(sub, JSON.parse(data), now);
              } else if (ev === 'serialized-error') {
                process.stderr.write(`bench: stream error: ${data}\n`);
              }
              ev = '';
              data = '';
            } else if (line.startsWith('data:')) {
              data += (data ? '\n' : '') + line.slice(line[5] === ' ' ? 6 : 5);
            } else if (line.startsWith('event:')) {
              ev = line.slice(line[6] === ' ' ? 7 : 6);
            }
            nl = buf.indexOf('\n');
          }
        });
        res.on('close', () => {
          sub.ended = true;
          if (!sub.connectedMs) reject(new Error('stream closed before its connected event'));
        });
      },
    );
    req.on('error', (err) => {
      if (sub.connectedMs) sub.ended = true;
      else reject(err);
    });
    sub.req = req;
  });
}

runBench('sse-fanout', 240, async () => {
  requireBuild();
  const { topics } = await import(pathToFileURL(join(coreDist, 'platform/events/topics.js')).href);
  const { stores, core, token } = await coreWithStores();
  const cookie = `sb_session=${token}`;
  const publisher = new Redis(stores.redisUrl);

  header('SSE fan-out: live events to many subscribers', [
    `core: ${coreLabel()} on PostgreSQL ${stores.pgVersion}, Redis db 62 (127.0.0.1), LOG_LEVEL=error`,
    `${subscribers} subscribers (raw http.get + hand-parsed SSE in the bench process, one shared session), ` +
      `${rate} events/s for ${seconds} s = ${events} events, published with XADD ${streamKey} like the core's bus`,
  ]);

  // Lag samples: one per (event, subscriber), in ms.
  const lags = new Float64Array(events * subscribers);
  let nLags = 0;
  const publishedAt = new Float64Array(events).fill(Number.NaN);
  const lastDeliveryAt = new Float64Array(events).fill(Number.NaN);
  const deliveries = new Uint32Array(events);
  const onEvent = (sub, e, now) => {
    const seq = Number(e?.data?.user?.id?.slice?.(6));
    if (e.topic !== topic || !(seq >= 0 && seq < events)) return;
    if (seq <= sub.lastSeq) {
      if (seq === sub.lastSeq) sub.dupes++;
      else sub.outOfOrder++;
      return;
    }
    sub.lastSeq = seq;
    sub.received++;
    deliveries[seq]++;
    lags[nLags++] = now - publishedAt[seq];
    if (!(lastDeliveryAt[seq] >= now)) lastDeliveryAt[seq] = now;
  };

  const idle = procSample(core.pid);
  const clientCpu0 = process.cpuUsage();

  // Ramp up: `rampConcurrency` connections in flight at a time.
  const subs = [];
  const rampStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: rampConcurrency }, async () => {
      while (next < subscribers) {
        next++;
        subs.push(await subscribe(core.url, cookie, onEvent));
      }
    }),
  );
  const rampMs = performance.now() - rampStart;
  await sleep(1000);
  const connected = procSample(core.pid);

  // Publish at a fixed rate, scheduled on absolute times so delays do not accumulate.
  const payloadOf = (seq) =>
    topics[topic].payload.parse({
      user: { id: `bench-${seq}`, name: 'Bench Publisher', email: 'publisher@example.com' },
      ip: '127.0.0.1',
    });
  // The core's responsiveness meanwhile: GET /healthz every 200 ms on a keep-alive connection.
  const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const probeMs = [];
  let probing = true;
  const probeLoop = (async () => {
    while (probing) {
      const t = performance.now();
      await new Promise((resolve) => {
        const req = http.get(`${core.url}/healthz`, { agent: probeAgent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', resolve);
        req.setTimeout(10_000, () => req.destroy()); // a stuck core: count 10 s and move on
      });
      probeMs.push(performance.now() - t);
      await sleep(200);
    }
    probeAgent.destroy();
  })();
  const xaddMs = [];
  const pubStart = performance.now();
  for (let seq = 0; seq < events; seq++) {
    const due = pubStart + (seq * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const d = JSON.stringify(payloadOf(seq));
    publishedAt[seq] = performance.now();
    await publisher.xadd(streamKey, 'MAXLEN', '~', '10000', '*', 't', topic, 'at', new Date().toISOString(), 'd', d);
    xaddMs.push(performance.now() - publishedAt[seq]);
  }
  const pubEnd = performance.now();
  // Drain: wait until every subscriber has every event, at most `drainSeconds` after the
  // last publish; what has not arrived by then counts as not delivered.
  const drainDeadline = performance.now() + drainSeconds * 1000;
  while (subs.some((s) => s.received < events) && performance.now() < drainDeadline) await sleep(50);
  const delivered = lastDeliveryAt.filter((t) => !Number.isNaN(t));
  const drainMs = delivered.length ? Math.max(...delivered) - pubEnd : Number.NaN;
  probing = false;
  await probeLoop;
  const afterEvents = procSample(core.pid);
  const phaseMs = afterEvents.at - connected.at;
  const clientCpu = process.cpuUsage(clientCpu0);

  if (process.env.BENCH_DEBUG) console.log('deliveries per event:', Array.from(deliveries).join(' '));
  const lag = summarize(lags.subarray(0, nLags));
  const spread = summarize(Array.from(lastDeliveryAt, (t, i) => t - publishedAt[i]).filter((x) => !Number.isNaN(x)));
  const connect = summarize(subs.map((s) => s.connectedMs));
  const probe = summarize(probeMs);
  const expected = events * subscribers;
  const received = subs.reduce((a, s) => a + s.received, 0);
  const dupes = subs.reduce((a, s) => a + s.dupes, 0);
  const outOfOrder = subs.reduce((a, s) => a + s.outOfOrder, 0);
  const closedEarly = subs.filter((s) => s.ended).length;
  const short = subs.filter((s) => s.received < events).length;

  console.log(
    `ramp: ${subscribers} subscriptions open in ${fmt(rampMs / 1000, 2)} s ` +
      `(connect → 'connected' event: p50 ${fmt(connect.p50)} ms, p99 ${fmt(connect.p99)} ms); ` +
      `publishing took ${fmt((pubEnd - pubStart) / 1000, 2)} s (XADD p50 ${fmt(summarize(xaddMs).p50, 2)} ms), ` +
      `the last delivery came ${fmt(drainMs / 1000, 2)} s after the last publish\n`,
  );
  table(
    ['delivery lag (publish → received)', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'samples'],
    [
      [
        'per event and subscriber',
        fmt(lag.p50),
        fmt(lag.p90),
        fmt(lag.p99),
        fmt(lag.max),
        lag.n.toLocaleString('en-US'),
      ],
      [
        'per event, until the last subscriber has it',
        fmt(spread.p50),
        fmt(spread.p90),
        fmt(spread.p99),
        fmt(spread.max),
        String(spread.n),
      ],
      [
        '(core responsiveness) GET /healthz meanwhile',
        fmt(probe.p50),
        fmt(probe.p90),
        fmt(probe.p99),
        fmt(probe.max),
        String(probe.n),
      ],
    ],
  );
  console.log('');
  table(
    ['delivery', 'value'],
    [
      ['expected (events × subscribers)', expected.toLocaleString('en-US')],
      ['received', received.toLocaleString('en-US')],
      [`not delivered within ${drainSeconds} s after the last publish`, (expected - received).toLocaleString('en-US')],
      ['subscribers missing any event', String(short)],
      ['duplicates / out of order', `${dupes} / ${outOfOrder}`],
      ['streams closed by the server during the run', String(closedEarly)],
    ],
  );
  console.log('');
  const mb = (kb) => fmt(kb / 1024, 1);
  table(
    ['core process', 'RSS MB', 'CPU (of one core)', 'CPU ms'],
    [
      ['idle, signed in (before subscribers)', mb(idle.rssKb), '–', fmt(idle.cpuMs, 0)],
      [`${subscribers} subscribers connected`, mb(connected.rssKb), '–', fmt(connected.cpuMs, 0)],
      [
        `after ${events} events (${fmt(phaseMs / 1000, 1)} s)`,
        mb(afterEvents.rssKb),
        `${fmt((100 * (afterEvents.cpuMs - connected.cpuMs)) / phaseMs, 0)}%`,
        fmt(afterEvents.cpuMs, 0),
      ],
      ['peak RSS (VmHWM)', mb(afterEvents.hwmKb), '', ''],
    ],
  );
  console.log(
    `\nper subscriber: ${fmt((connected.rssKb - idle.rssKb) / subscribers, 1)} kB RSS; ` +
      `per delivered event: ${fmt(((afterEvents.cpuMs - connected.cpuMs) * 1000) / Math.max(received, 1), 1)} µs core CPU; ` +
      `bench client (same machine) used ${fmt((clientCpu.user + clientCpu.system) / 1000, 0)} ms CPU`,
  );
  console.log(
    `goal: delivery lag p99 <= ${goalP99} ms: ${lag.p99 <= goalP99 && received === expected ? 'MET' : 'NOT MET'} ` +
      `(p99 ${fmt(lag.p99)} ms, ${(expected - received).toLocaleString('en-US')} not delivered)`,
  );

  // Shutdown with every stream still open: the core must end them and exit by itself.
  const stopMs = await core.stop();
  const exit = await core.exited;
  await sleep(200);
  const ended = subs.filter((s) => s.ended).length;
  console.log(
    `shutdown with ${subscribers} open streams: SIGTERM → exit ${exit.code ?? exit.signal} in ${fmt(stopMs, 0)} ms; ` +
      `${ended}/${subscribers} client connections closed`,
  );
  for (const s of subs) s.req.destroy();
  publisher.disconnect();
  if (exit.code !== 0) console.log(`WARNING: the core did not exit by itself on SIGTERM (${exit.code ?? exit.signal})`);
});
