import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../lib/errors';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Drawer } from '../../ui/drawer';
import { Alert, ErrorState, LoadingState } from '../../ui/states';
import { formatBytes } from '../nodes/queries';
import { JournalViewer } from './journal-viewer';
import { activeTone, type UnitStatus, unitStatusQuery } from './queries';
import styles from './services.module.css';
import { UnitActions } from './unit-actions';
import { useJournalFollow } from './use-journal-follow';

function Properties({ s }: { s: UnitStatus }) {
  const rows: [string, string, string][] = [
    ['Active since', s.activeState === 'active' ? (s.activeEnterTimestamp ?? '—') : '—', 'unit-active-since'],
    ['Main PID', s.mainPid ? String(s.mainPid) : '—', 'unit-main-pid'],
    ['Memory', formatBytes(s.memoryBytes), 'unit-memory'],
    ['Restarts', s.restarts === null ? '—' : String(s.restarts), 'unit-restarts'],
    ['Unit file', s.unitFileState || '—', 'unit-file-state'],
    ['Fragment path', s.fragmentPath || '—', 'unit-fragment'],
  ];
  return (
    <dl className={styles.props}>
      {rows.map(([label, value, id]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd data-testid={id}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Journal({ nodeId, unit, status }: { nodeId: string; unit: string; status: UnitStatus }) {
  const f = useJournalFollow(nodeId, unit);
  if (f.follow && f.journal) {
    return (
      <JournalViewer
        unit={unit}
        followId={f.follow.followId}
        journal={f.journal}
        onStop={f.stop}
        onFollowAgain={() => f.start()}
        restarting={f.starting}
      />
    );
  }
  const { lines, error } = status.journal;
  return (
    <section className={styles.section} aria-label="Recent journal lines">
      <div className={styles.sectionHead}>
        <h3 className={styles.sectionTitle}>Last journal lines</h3>
        <Button
          size="sm"
          variant="primary"
          onClick={() => f.start()}
          pending={f.starting}
          pendingText="Starting…"
          data-testid="follow-journal"
        >
          Follow journal
        </Button>
      </div>
      {f.error && <Alert>{errorMessage(f.error)}</Alert>}
      {error ? (
        <Alert tone="amber">{error}</Alert>
      ) : (
        <pre className={styles.journalLines} data-testid="unit-journal">
          {lines.length ? (
            lines.join('\n')
          ) : (
            <span className={styles.quiet}>The journal has no lines for this unit.</span>
          )}
        </pre>
      )}
    </section>
  );
}

/** One unit: its state, properties, actions (for services:write) and journal. */
export function UnitDrawer({
  nodeId,
  nodeName,
  unit,
  canWrite,
  onClose,
}: {
  nodeId: string;
  nodeName: string;
  unit: string;
  canWrite: boolean;
  onClose: () => void;
}) {
  const status = useQuery(unitStatusQuery(nodeId, unit));
  const s = status.data;
  return (
    <Drawer
      open
      onClose={onClose}
      title={<span className={styles.unitName}>{unit}</span>}
      subtitle={
        s ? (
          <span className={styles.subtitle}>
            <Badge tone={activeTone(s.activeState)} dot data-testid="unit-state">
              {s.activeState} ({s.subState})
            </Badge>
            {s.description}
          </span>
        ) : (
          `on ${nodeName}`
        )
      }
      data-testid="unit-drawer"
    >
      {status.isPending ? (
        <LoadingState label={`Asking ${nodeName} about ${unit}…`} />
      ) : !s ? (
        <ErrorState
          error={status.error}
          title="Could not read the unit"
          onRetry={() => void status.refetch()}
          retrying={status.isFetching}
        />
      ) : (
        <div
          className={styles.drawerBody}
          data-state={s.activeState}
          data-pid={s.mainPid ?? ''}
          aria-busy={status.isFetching || undefined}
        >
          {canWrite && <UnitActions nodeId={nodeId} nodeName={nodeName} status={s} />}
          <Properties s={s} />
          <Journal nodeId={nodeId} unit={unit} status={s} />
        </div>
      )}
    </Drawer>
  );
}
