// The load generator, run as its own process so it never shares an event loop with the
// bench's bookkeeping (it still shares the machine's cores with the core under test).
// usage: node load.mjs '<json: {url, connections, seconds, headers}>'  → one JSON line on stdout
import autocannon from 'autocannon';

const o = JSON.parse(process.argv[2] ?? '{}');
const result = await autocannon({
  url: o.url,
  connections: o.connections ?? 50,
  duration: o.seconds ?? 10,
  headers: o.headers ?? {},
  pipelining: 1,
  timeout: 10,
});
const l = result.latency;
process.stdout.write(
  `${JSON.stringify({
    total: result.requests.total,
    seconds: result.duration,
    rps: result.requests.total / result.duration,
    p50: l.p50,
    p90: l.p90,
    p99: l.p99,
    max: l.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: result.statusCodeStats,
  })}\n`,
);
