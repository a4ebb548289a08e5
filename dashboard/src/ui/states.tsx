import type { ReactNode } from 'react';
import { errorMessage } from '../lib/errors';
import { Button } from './button';
import { Spinner } from './spinner';
import styles from './states.module.css';

export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className={styles.state} data-testid="loading-state">
      <Spinner size={16} />
      <p className={styles.muted}>{label}</p>
    </div>
  );
}

export function EmptyState({ title, children, icon }: { title: string; children?: ReactNode; icon?: ReactNode }) {
  return (
    <div className={styles.state} data-testid="empty-state">
      {icon && <div className={styles.icon}>{icon}</div>}
      <p className={styles.title}>{title}</p>
      {children && <div className={styles.muted}>{children}</div>}
    </div>
  );
}

/** The server's own message, and a way to try again. */
export function ErrorState({
  error,
  title = 'Could not load this',
  onRetry,
  retrying = false,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  retrying?: boolean;
}) {
  return (
    <div className={`${styles.state} ${styles.error}`} role="alert" data-testid="error-state">
      <p className={styles.title}>{title}</p>
      <p className={styles.message}>{errorMessage(error)}</p>
      {onRetry && (
        <Button size="sm" onClick={onRetry} pending={retrying} pendingText="Retrying…">
          Try again
        </Button>
      )}
    </div>
  );
}

/** A form-level message (above the submit button). */
export function Alert({ tone = 'red', children }: { tone?: 'red' | 'amber' | 'green'; children: ReactNode }) {
  return (
    <div className={`${styles.alert} ${styles[tone]}`} role={tone === 'green' ? 'status' : 'alert'}>
      {children}
    </div>
  );
}
