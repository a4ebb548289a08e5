import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from './keys.js';

// Secrets at rest: AES-256-GCM, a random 96-bit nonce per value, and the row it belongs
// to bound in as additional data, so a ciphertext copied to another row (or column) fails
// to decrypt. Keys are versioned: the version travels in the value and in the AAD.

export interface Vault {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

const version = 'v1';

export function createVault(masterKey: Buffer): Vault {
  const keys: Record<string, Buffer> = { [version]: deriveKey(masterKey, `vault-${version}`) };
  return {
    seal(plaintext, context) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keys[version] as Buffer, nonce);
      cipher.setAAD(Buffer.from(`${context}|${version}`));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${version}:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64')}`;
    },
    open(sealed, context) {
      const [v, data] = sealed.split(':');
      const key = v ? keys[v] : undefined;
      if (!key || !data) throw new Error('unknown vault key version');
      const raw = Buffer.from(data, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(`${context}|${v}`));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
    },
  };
}
