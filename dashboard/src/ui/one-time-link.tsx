import { fullTime, relativeTime, useNow } from '../lib/time';
import { CopyButton } from './copy-button';
import styles from './one-time-link.module.css';
import { Alert } from './states';

/**
 * A link that carries a secret (an invitation, a guest link), shown the one time the core
 * hands it out: it keeps only a hash, so nobody can show it again.
 */
export function OneTimeLink({
  label,
  url,
  expiresAt,
  noun = 'link',
  'data-testid': testId,
}: {
  label: string;
  /** What the secret is called in the copy button and the warning. */
  noun?: 'link' | 'token';
  url: string;
  expiresAt: string;
  'data-testid'?: string;
}) {
  const now = useNow(30_000);
  return (
    <>
      <div className={styles.box}>
        <div className={styles.head}>
          <span className={styles.label}>{label}</span>
          <CopyButton text={url} label={`Copy ${noun}`} data-testid="copy-link" />
        </div>
        <code className={styles.url} data-testid={testId}>
          {url}
        </code>
        <p className={styles.expiry}>
          Expires {relativeTime(expiresAt, now)}, <time dateTime={expiresAt}>{fullTime(expiresAt)}</time>
        </p>
      </div>
      <Alert tone="amber">
        <span data-testid="shown-once">
          Copy it now: this {noun} will not be shown again. serverbox keeps only a fingerprint of it.
        </span>
      </Alert>
    </>
  );
}
