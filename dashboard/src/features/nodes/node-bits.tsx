import { fullTime, relativeTime } from '../../lib/time';
import { Badge } from '../../ui/badge';
import styles from './nodes.module.css';
import { type NodeStatus, statusMeta } from './queries';

/** A node's status: colour and words, pulsing while it is online. */
export function StatusBadge({ status, reason }: { status: NodeStatus; reason?: string | null }) {
  const m = statusMeta[status];
  return (
    <span data-testid="node-status" data-status={status} title={reason ?? m.meaning}>
      <Badge tone={m.tone} dot pulse={status === 'online'}>
        {m.label}
      </Badge>
    </span>
  );
}

export function LabelChips({ labels, onPick }: { labels: readonly string[]; onPick?: (label: string) => void }) {
  if (labels.length === 0) return <span className={styles.none}>—</span>;
  return (
    <ul className={styles.chips} aria-label="Labels">
      {labels.map((l) => (
        <li key={l}>
          {onPick ? (
            <button
              type="button"
              className={styles.chip}
              onClick={() => onPick(l)}
              title={`Show only nodes labelled ${l}`}
            >
              {l}
            </button>
          ) : (
            <span className={styles.chip}>{l}</span>
          )}
        </li>
      ))}
    </ul>
  );
}

/** "3 minutes ago", re-rendered by the caller's clock; "never" before the first contact. */
export function LastSeen({ at, now }: { at: string | null; now: number }) {
  if (!at) return <span className={styles.none}>never</span>;
  return (
    <time dateTime={at} title={fullTime(at)} data-testid="node-last-seen">
      {relativeTime(at, now)}
    </time>
  );
}

/** A fingerprint, monospaced and selectable whole. */
export function Fingerprint({ value, testId }: { value: string; testId?: string }) {
  return (
    <code className={styles.fingerprint} data-testid={testId}>
      {value}
    </code>
  );
}
