import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
} from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from './logger.js';

/** A purpose-bound 32-byte key derived from the master key (HKDF-SHA256). */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `serverbox:${purpose}`, 32));
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
  fingerprint: string;
}

/**
 * The Ed25519 key that signs audit checkpoints. Its private half never enters the database:
 * it comes from SERVERBOX_AUDIT_SIGNING_KEY (PKCS#8 PEM) or a 0600 file in the data
 * directory generated on first start.
 */
export function loadSigningKey(opts: {
  configured?: string;
  dataDir: string;
  log: Logger;
  create?: boolean;
}): SigningKey {
  let pem = opts.configured?.replace(/\\n/g, '\n');
  if (!pem) {
    const file = join(opts.dataDir, 'audit-signing.key');
    if (existsSync(file)) {
      pem = readFileSync(file, 'utf8');
    } else if (opts.create === false) {
      throw new Error(
        `no audit signing key: set SERVERBOX_AUDIT_SIGNING_KEY or SERVERBOX_DATA_DIR as the core has them (${file} is missing)`,
      );
    } else {
      const { privateKey } = generateKeyPairSync('ed25519');
      pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
      opts.log.warn({ file }, 'generated the audit signing key; keep a copy outside the database host');
    }
  }
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key must be Ed25519');
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    privateKey,
    publicKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`,
  };
}
