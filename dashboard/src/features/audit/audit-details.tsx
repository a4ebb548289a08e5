import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { errorCode } from '../../lib/errors';
import { fullTime } from '../../lib/time';
import { trpc } from '../../lib/trpc';
import { Badge } from '../../ui/badge';
import { CopyButton } from '../../ui/copy-button';
import { Drawer } from '../../ui/drawer';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { describeUserAgent } from '../profile/user-agent';
import styles from './audit-details.module.css';
import { actorTone, outcomeTone } from './audit-format';
import type { AuditRecord } from './queries';

const Field = ({ label, children }: { label: string; children: ReactNode }) => (
  <>
    <dt>{label}</dt>
    <dd>{children}</dd>
  </>
);

const None = () => <span className={styles.none}>none</span>;

/** A monospace value with its copy button: ids, hashes, the canonical text. */
function Code({
  label,
  value,
  block = false,
  testId,
}: {
  label: string;
  value: string;
  block?: boolean;
  testId: string;
}) {
  return (
    <div className={styles.code}>
      <div className={styles.codeHead}>
        <span className={styles.codeLabel}>{label}</span>
        <CopyButton text={value} label={`Copy ${label.toLowerCase()}`} />
      </div>
      {block ? (
        <pre className={`${styles.pre} ${styles.canon}`} data-testid={testId}>
          {value}
        </pre>
      ) : (
        <code className={styles.hash} data-testid={testId}>
          {value}
        </code>
      )}
    </div>
  );
}

function RecordView({ r }: { r: AuditRecord }) {
  return (
    <div className={styles.sections}>
      <section>
        <h3 className={styles.heading}>Event</h3>
        <dl className={styles.fields}>
          <Field label="Time">
            {fullTime(r.at)} <span className={styles.faint}>{r.at}</span>
          </Field>
          <Field label="Actor">
            <span className={styles.inline}>
              {r.actor.name} <Badge tone={actorTone[r.actor.type]}>{r.actor.type}</Badge>
            </span>
            {r.actor.id && <span className={styles.faint}>{r.actor.id}</span>}
          </Field>
          <Field label="Action">
            <span className={styles.mono}>{r.action}</span>
          </Field>
          <Field label="Target">
            {r.target ? (
              <>
                {r.target.name ?? r.target.id} <span className={styles.faint}>{r.target.type}</span>
                {r.target.name && r.target.id && <span className={styles.faint}>{r.target.id}</span>}
              </>
            ) : (
              <None />
            )}
          </Field>
          <Field label="Outcome">
            <Badge tone={outcomeTone[r.outcome]} dot>
              {r.outcome}
            </Badge>
          </Field>
          <Field label="IP address">{r.ip ? <span className={styles.mono}>{r.ip}</span> : <None />}</Field>
          <Field label="Client">
            {r.userAgent ? (
              <>
                {describeUserAgent(r.userAgent)}
                <span className={styles.faint}>{r.userAgent}</span>
              </>
            ) : (
              <None />
            )}
          </Field>
          <Field label="Request id">
            {r.requestId ? (
              <span className={styles.inline}>
                <span className={styles.mono}>{r.requestId}</span>
                <CopyButton text={r.requestId} label="Copy request id" />
              </span>
            ) : (
              <None />
            )}
          </Field>
        </dl>
      </section>
      <section>
        <h3 className={styles.heading}>Details</h3>
        {r.details && Object.keys(r.details).length > 0 ? (
          <pre className={styles.pre} data-testid="audit-details-json">
            {JSON.stringify(r.details, null, 2)}
          </pre>
        ) : (
          <p className={styles.faint}>This event carries no further details.</p>
        )}
      </section>
      <section>
        <h3 className={styles.heading}>Chain</h3>
        <p className={styles.explain}>
          The core authenticated exactly this text. <code>hash</code> = SHA-256 of the previous row&rsquo;s hash, the
          seq and this text, which anyone can recompute from an export; <code>mac</code> chains the same way under a key
          only the core holds.
        </p>
        <Code label="Canonical text (RFC 8785)" value={r.canon} block testId="audit-canon" />
        <Code label="Hash" value={r.hash} testId="audit-hash" />
        <Code label="MAC" value={r.mac} testId="audit-mac" />
      </section>
    </div>
  );
}

/** The full record of one row, loaded by seq: it may be a row no page has loaded yet. */
export function AuditDetails({ seq, onClose }: { seq: number | undefined; onClose: () => void }) {
  const record = useQuery({ ...trpc.audit.bySeq.queryOptions({ seq: seq ?? 0 }), enabled: seq !== undefined });
  const r = record.data;
  return (
    <Drawer
      open={seq !== undefined}
      onClose={onClose}
      title={`Row #${seq ?? ''}`}
      subtitle={
        r && (
          <>
            <span className={styles.mono}>{r.action}</span>
            <Badge tone={outcomeTone[r.outcome]} dot>
              {r.outcome}
            </Badge>
          </>
        )
      }
      data-testid="audit-details"
    >
      {record.isPending ? (
        <LoadingState label={`Loading row #${seq}…`} />
      ) : record.isError ? (
        errorCode(record.error) === 'NOT_FOUND' ? (
          <EmptyState title={`Row #${seq} is not in the log`} icon="?">
            No row with this number exists. If verification reported it missing, it was removed from the database.
          </EmptyState>
        ) : (
          <ErrorState
            error={record.error}
            title={`Could not load row #${seq}`}
            onRetry={() => void record.refetch()}
            retrying={record.isFetching}
          />
        )
      ) : (
        <RecordView r={record.data} />
      )}
    </Drawer>
  );
}
