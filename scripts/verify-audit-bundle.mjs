#!/usr/bin/env node
// Verifies a serverbox audit export bundle offline, with nothing but Node.js: no database,
// no server, no dependencies. Usage:
//
//   node verify-audit-bundle.mjs <bundle.jsonl> [--fingerprint SHA256:...] [--public-key key.pem]
//
// Pin the signing key you trust (from the dashboard or GET /audit/public-key) with
// --fingerprint or --public-key: a bundle carries its own key, which a forger could swap.
// Checks: rows are contiguous; each row's text names its own seq; the SHA-256 chain links
// every row to the one before; every checkpoint's Ed25519 signature is valid and matches
// the row it vouches for. Exit 0 when intact, 1 with the first bad seq, 2 on usage errors.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const genesis = '0'.repeat(64);

function fail(seq, reason, message) {
  console.log(`FAIL at seq ${seq}: ${reason}: ${message}`);
  process.exit(1);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { fingerprint: { type: 'string' }, 'public-key': { type: 'string' } },
});
if (positionals.length !== 1) {
  console.error('usage: verify-audit-bundle.mjs <bundle.jsonl> [--fingerprint SHA256:...] [--public-key key.pem]');
  process.exit(2);
}

const fingerprintOf = (key) =>
  `SHA256:${createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('base64')
    .replace(/=+$/, '')}`;
// RFC 8785 text of {at, hash, mac, seq}: keys sorted, plain strings and an integer.
const checkpointMessage = (c) =>
  Buffer.from(
    `{"at":${JSON.stringify(c.at)},"hash":${JSON.stringify(c.hash)},"mac":${JSON.stringify(c.mac)},"seq":${c.seq}}`,
  );

let header = null;
let key = null;
let expected = null;
let prevHash = null;
const rowHashes = new Map(); // seq -> { hash, mac } (only what checkpoints need is kept)
const pendingCheckpoints = [];
let rows = 0;

const lines = createInterface({ input: createReadStream(positionals[0]), crlfDelay: Number.POSITIVE_INFINITY });
let lineNo = 0;
for await (const line of lines) {
  lineNo++;
  if (!line.trim()) continue;
  let item;
  try {
    item = JSON.parse(line);
  } catch {
    fail(expected ?? '?', 'malformed', `line ${lineNo} is not JSON`);
  }
  if (lineNo === 1) {
    if (item.type !== 'header' || item.format !== 'serverbox-audit-bundle/1')
      fail('?', 'malformed', 'not a serverbox audit bundle');
    header = item;
    key = createPublicKey(values['public-key'] ? readFileSync(values['public-key'], 'utf8') : item.publicKey);
    const fp = fingerprintOf(key);
    if (values['public-key'] && fp !== fingerprintOf(createPublicKey(item.publicKey))) {
      fail('?', 'signature invalid', 'the bundle names a different signing key than the one you pinned');
    }
    if (values.fingerprint && values.fingerprint !== fp) {
      fail('?', 'signature invalid', `signing key ${fp} is not the pinned ${values.fingerprint}`);
    }
    expected = item.firstSeq ?? 1;
    prevHash = item.firstSeq > 1 ? item.prevHash : genesis;
    continue;
  }
  if (item.type === 'row') {
    if (item.seq !== expected) {
      fail(expected, item.seq > expected ? 'missing' : 'reordered', `expected row ${expected}, found ${item.seq}`);
    }
    let text;
    try {
      text = JSON.parse(item.canon);
    } catch {
      fail(item.seq, 'edited', 'canonical text is not JSON');
    }
    if (text.seq !== item.seq) fail(item.seq, 'reordered', `row ${item.seq} holds the entry written as ${text.seq}`);
    const hash = createHash('sha256').update(`${prevHash}\n${item.seq}\n${item.canon}`).digest('hex');
    if (hash !== item.hash) fail(item.seq, 'edited', 'hash chain broken: content or order changed');
    prevHash = hash;
    rowHashes.set(item.seq, { hash: item.hash, mac: item.mac });
    expected++;
    rows++;
  } else if (item.type === 'checkpoint') {
    pendingCheckpoints.push(item);
  } else {
    fail(expected, 'malformed', `line ${lineNo} has unknown type ${item.type}`);
  }
}
if (!header) fail('?', 'malformed', 'empty bundle');
if (header.lastSeq !== null && expected - 1 !== header.lastSeq) {
  fail(expected, 'truncated', `header promises rows up to ${header.lastSeq}, bundle ends at ${expected - 1}`);
}

let lastSigned = null;
for (const cp of pendingCheckpoints) {
  if (!verify(null, checkpointMessage(cp), key, Buffer.from(cp.signature, 'base64'))) {
    fail(cp.seq, 'signature invalid', `checkpoint #${cp.seq} has a bad signature`);
  }
  const row = rowHashes.get(cp.seq);
  if (!row) fail(cp.seq, 'missing', `checkpoint #${cp.seq} vouches for a row the bundle lacks`);
  if (row.hash !== cp.hash || row.mac !== cp.mac) {
    fail(cp.seq, 'edited', `rows up to ${cp.seq} differ from what signed checkpoint #${cp.seq} vouches for`);
  }
  lastSigned = Math.max(lastSigned ?? 0, cp.seq);
}

const fp = fingerprintOf(key);
console.log(
  `OK: ${rows} rows (${header.firstSeq ?? '-'}..${header.lastSeq ?? '-'}), ${pendingCheckpoints.length} signed checkpoints, key ${fp}`,
);
if (rows > 0) {
  const tail = header.lastSeq - (lastSigned ?? header.firstSeq - 1);
  if (tail > 0)
    console.log(
      `note: the last ${tail} rows come after the last signed checkpoint and are covered by the hash chain only`,
    );
}
if (!values.fingerprint && !values['public-key']) {
  console.log('note: no key pinned; pass --fingerprint with the key shown in serverbox to rule out a swapped key');
}
