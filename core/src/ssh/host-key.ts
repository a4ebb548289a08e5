import { createHash } from 'node:crypto';

// Host keys are pinned by their SHA-256 fingerprint, written the way `ssh-keygen -lf`
// prints it: "SHA256:" + unpadded base64 of the digest of the key blob.

export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The algorithm name inside an SSH public key blob (e.g. ssh-ed25519). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

/** Accepts "SHA256:abc…" (or without the prefix); returns the canonical form or null. */
export function normaliseFingerprint(input: string): string | null {
  const m = /^(?:SHA256:)?([A-Za-z0-9+/]{43})=?$/.exec(input.trim());
  return m ? `SHA256:${m[1]}` : null;
}

export type HostKeyDecision =
  | { ok: true }
  | { ok: false; reason: 'unknown' | 'mismatch'; fingerprint: string; keyType: string; publicKey: string };

/**
 * ssh2's verifier in its callback form — an async function would be taken as "accept".
 * `decide` sees what the node presented and the pinned fingerprint; anything but an exact
 * match is refused, and the decision is reported so the caller can quarantine or ask.
 */
export function hostVerifier(pinned: string | null, report: (d: HostKeyDecision) => void) {
  return (key: Buffer, verify: (ok: boolean) => void): void => {
    const fingerprint = fingerprintOf(key);
    if (pinned !== null && fingerprint === pinned) {
      report({ ok: true });
      verify(true);
      return;
    }
    report({
      ok: false,
      reason: pinned === null ? 'unknown' : 'mismatch',
      fingerprint,
      keyType: keyTypeOf(key),
      publicKey: `${keyTypeOf(key)} ${key.toString('base64')}`,
    });
    verify(false);
  };
}
