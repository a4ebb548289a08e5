import { parentPort, workerData } from 'node:worker_threads';
import postgres from 'postgres';
import { verifyChunk } from './audit-verify.js';
import { createVerifyReader } from './audit-verify.repository.js';

// A worker thread of audit.verify() (audit-verify.ts workerRunner): verifies the chunks of
// the chain it is handed, one at a time, over its own connection.

const { connection, key, checkpoints, batch } = workerData as {
  connection: Record<string, unknown>;
  key: Uint8Array;
  checkpoints: [number, string, string][];
  batch: number;
};
const client = postgres({ ...connection, max: 1, onnotice: () => {} } as postgres.Options<Record<string, never>>);
const reader = createVerifyReader(client);
const macKey = Buffer.from(key);
const cps = new Map(checkpoints.map(([seq, hash, mac]) => [seq, { hash, mac }]));

parentPort?.on('message', (chunk: { from: number; to: number | null } | 'close') => {
  if (chunk === 'close') {
    void client.end({ timeout: 1 }).finally(() => parentPort?.close());
    return;
  }
  verifyChunk(reader, macKey, cps, { ...chunk, batch }).then(
    (r) => parentPort?.postMessage(r),
    (err: unknown) => parentPort?.postMessage({ error: String((err as Error)?.message ?? err) }),
  );
});
