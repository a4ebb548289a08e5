import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from './logger.js';

/**
 * The master key from which every at-rest encryption key and the audit MAC key derive.
 * From SERVERBOX_MASTER_KEY (32 bytes, base64 or hex) or, failing that, a 0600 file in
 * the data directory created on first start.
 */
export function loadMasterKey(opts: { configured?: string; dataDir: string; log: Logger; create?: boolean }): Buffer {
  if (opts.configured) return parseKey(opts.configured, 'SERVERBOX_MASTER_KEY');
  const file = join(opts.dataDir, 'master.key');
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077)
      opts.log.warn({ file, mode: mode.toString(8) }, 'master key file is readable by others; chmod 600 it');
    return parseKey(readFileSync(file, 'utf8').trim(), file);
  }
  if (opts.create === false) {
    throw new Error(
      `no master key: set SERVERBOX_MASTER_KEY or SERVERBOX_DATA_DIR as the core has them (${file} is missing)`,
    );
  }
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  opts.log.warn(
    { file },
    'generated a new master key in the data directory; back it up, or set SERVERBOX_MASTER_KEY so it lives outside the data',
  );
  return key;
}

export function parseKey(text: string, source: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(`${source} must be 32 bytes, base64 or hex encoded`);
  return key;
}
