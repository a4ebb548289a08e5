import { useQuery } from '@tanstack/react-query';
import { fullTime } from '../../lib/time';
import { trpc } from '../../lib/trpc';
import { Card } from '../../ui/card';
import { CopyButton } from '../../ui/copy-button';
import { IconDownload } from '../../ui/icons';
import styles from './integrity-cards.module.css';
import type { AuditFilters } from './queries';

/** The offline check, pinned to the key this server signs with (a bundle carries its own key, which a forger could swap). */
export const verifyCommand = (fingerprint: string | undefined) =>
  `node scripts/verify-audit-bundle.mjs <file>${fingerprint ? ` --fingerprint ${fingerprint}` : ''}`;

/** The export URL for a time range; the other filters do not apply (a bundle is a contiguous chain). */
export function exportHref(f: Pick<AuditFilters, 'from' | 'to'>): string {
  const q = new URLSearchParams();
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  const s = q.toString();
  return s ? `/audit/export?${s}` : '/audit/export';
}

export function rangeText(f: Pick<AuditFilters, 'from' | 'to'>): string {
  if (f.from && f.to) return `the log from ${fullTime(f.from)} to ${fullTime(f.to)}`;
  if (f.from) return `the log from ${fullTime(f.from)} on`;
  if (f.to) return `the log up to ${fullTime(f.to)}`;
  return 'the whole log';
}

/** How an auditor checks an export without trusting this server. */
export function ExportCard({ filters }: { filters: AuditFilters }) {
  // Shares its cache entry with the Signing key card.
  const keys = useQuery(trpc.audit.checkpoints.queryOptions());
  const command = verifyCommand(keys.data?.fingerprint);
  return (
    <Card
      title={
        <span className={styles.titleIcon}>
          <IconDownload /> Offline verification
        </span>
      }
      description="Check an export without trusting this server."
      data-testid="export-card"
    >
      <div className={styles.stack}>
        <p className={styles.muted}>
          <strong className={styles.strong}>Export</strong> downloads {rangeText(filters)} as NDJSON: each row&rsquo;s
          canonical text and hash, the signed checkpoints among them and the public key. Only the time filter applies: a
          chain can be checked only without gaps.
        </p>
        <div>
          <div className={styles.labelRow}>
            <span className={styles.label}>Verify a bundle</span>
            <CopyButton text={command} label="Copy command" />
          </div>
          <code className={styles.command} data-testid="verify-command">
            {command}
          </code>
        </div>
        <p className={styles.muted}>
          Run it from a serverbox checkout (Node.js only, no server). It recomputes every hash, checks each checkpoint
          signature against the pinned key and exits 0 only if the bundle is intact.
        </p>
      </div>
    </Card>
  );
}
