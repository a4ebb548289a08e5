import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { fullTime, relativeTime, useNow } from '../../lib/time';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { CopyButton } from '../../ui/copy-button';
import { IconKey } from '../../ui/icons';
import { ErrorState, LoadingState } from '../../ui/states';
import { plural } from './audit-format';
import styles from './integrity-cards.module.css';

/** The Ed25519 key that signs checkpoints: its fingerprint to compare, its PEM to verify with. */
export function SigningKeyCard() {
  const keys = useQuery(trpc.audit.checkpoints.queryOptions());
  const [showPem, setShowPem] = useState(false);
  const now = useNow(30_000);
  const latest = keys.data?.checkpoints[0];
  return (
    <Card
      title={
        <span className={styles.titleIcon}>
          <IconKey /> Signing key
        </span>
      }
      description="Ed25519; the private half never enters the database."
      data-testid="signing-key-card"
    >
      {keys.isPending ? (
        <LoadingState label="Loading the signing key…" />
      ) : keys.isError ? (
        <ErrorState
          error={keys.error}
          title="Could not load the signing key"
          onRetry={() => void keys.refetch()}
          retrying={keys.isFetching}
        />
      ) : (
        <div className={styles.stack}>
          <div>
            <div className={styles.labelRow}>
              <span className={styles.label}>Fingerprint</span>
              <CopyButton text={keys.data.fingerprint} label="Copy fingerprint" />
            </div>
            <code className={styles.fingerprint} data-testid="signing-key-fingerprint">
              {keys.data.fingerprint}
            </code>
          </div>
          <p className={styles.muted}>
            {latest ? (
              <>
                {plural(keys.data.checkpoints.length, 'recent signed checkpoint', 'recent signed checkpoints')}; the
                latest covers row <strong className={styles.strong}>#{latest.seq}</strong>,{' '}
                <span title={fullTime(latest.at)}>{relativeTime(latest.at, now)}</span>.
              </>
            ) : (
              'No checkpoint signed yet: the first one follows after enough rows or minutes.'
            )}
          </p>
          <div className={styles.labelRow}>
            <Button size="sm" variant="ghost" onClick={() => setShowPem((s) => !s)} aria-expanded={showPem}>
              {showPem ? 'Hide public key' : 'Show public key (PEM)'}
            </Button>
            {showPem && <CopyButton text={keys.data.publicKey} label="Copy public key" />}
          </div>
          {showPem && (
            <pre className={styles.pem} data-testid="signing-key-pem">
              {keys.data.publicKey.trim()}
            </pre>
          )}
        </div>
      )}
    </Card>
  );
}
