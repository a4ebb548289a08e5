// A worker thread of the parallel what-if verifier (audit-whatif.mjs, verifyInWorkers): checks
// the chunks of the chain it is handed, each from the stored row just before it.
import { parentPort, workerData } from 'node:worker_threads';
import postgres from 'postgres';

if (workerData.coreDist) process.env.BENCH_CORE_DIST = workerData.coreDist;
const { createArrayVerifier, makeFetcher, walk } = await import('./audit-whatif.mjs');
const { genesis } = await import('./audit.mjs').then((m) => m.fromCore('modules/audit/audit-chain.js'));
const { databaseUrl, macKey, checkpoints, options } = workerData;
const client = postgres(databaseUrl, { max: 2, onnotice: () => {} });
const key = Buffer.from(macKey, 'hex');
const cps = new Map(checkpoints.map(([seq, hash, mac]) => [seq, { hash, mac }]));
const fetchBatch = makeFetcher('raw', { client, batch: options.batch });

parentPort.on('message', async ({ index, from, to }) => {
  let seed = { seq: 0, hash: genesis, mac: genesis };
  if (from > 1) {
    const [row] = await client`select hash, mac from audit_events where seq = ${from - 1}`;
    // A missing row before the chunk is reported by the chunk before it, which comes first.
    seed = { seq: from - 1, hash: row?.hash ?? genesis, mac: row?.mac ?? genesis };
  }
  const verifier = createArrayVerifier(key, cps, options, seed);
  const w = await walk(fetchBatch, verifier, { ...options, after: from - 1, until: to });
  const problem = w.problem ?? verifier.finish();
  parentPort.postMessage({ index, problem, checked: w.checked, lastSeq: verifier.lastSeq });
});
