import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVault } from './vault.js';

describe('vault', () => {
  const vault = createVault(randomBytes(32));
  it('round-trips and never repeats a ciphertext', () => {
    const a = vault.seal('JBSWY3DPEHPK3PXP', 'users:1:totp');
    expect(vault.open(a, 'users:1:totp')).toBe('JBSWY3DPEHPK3PXP');
    expect(vault.seal('JBSWY3DPEHPK3PXP', 'users:1:totp')).not.toBe(a);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
  });
  it('refuses a value moved to another row, a tampered value, or another master key', () => {
    const a = vault.seal('secret', 'users:1:totp');
    expect(() => vault.open(a, 'users:2:totp')).toThrow();
    const raw = Buffer.from(a.slice(3), 'base64');
    raw[14] = (raw[14] ?? 0) ^ 1;
    expect(() => vault.open(`v1:${raw.toString('base64')}`, 'users:1:totp')).toThrow();
    expect(() => createVault(randomBytes(32)).open(a, 'users:1:totp')).toThrow();
  });
});
