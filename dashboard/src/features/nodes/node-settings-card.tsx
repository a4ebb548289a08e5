import { Link } from '@tanstack/react-router';
import { fullTime } from '../../lib/time';
import { Card } from '../../ui/card';
import { Fingerprint, LabelChips, LastSeen } from './node-bits';
import styles from './nodes.module.css';
import { formatRtt, type NodeDetail } from './queries';

/** How serverbox reaches the node: address, login, jump host, pinned host key, labels, notes. */
export function NodeSettingsCard({ node, jumpName, now }: { node: NodeDetail; jumpName: string | null; now: number }) {
  return (
    <Card title="Connection" description="How serverbox reaches this node." data-testid="node-connection">
      <dl className={styles.facts}>
        <div>
          <dt>Address</dt>
          <dd className={styles.mono}>
            {node.host}:{node.port}
          </dd>
        </div>
        <div>
          <dt>SSH user</dt>
          <dd className={styles.mono}>{node.username}</dd>
        </div>
        <div>
          <dt>Jump host</dt>
          <dd>
            {node.jumpNodeId ? (
              <Link to="/nodes/$nodeId" params={{ nodeId: node.jumpNodeId }}>
                {jumpName ?? 'another node'}
              </Link>
            ) : (
              <span className={styles.none}>direct</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Max sessions</dt>
          <dd>{node.maxSessions}</dd>
        </div>
        <div>
          <dt>Round trip</dt>
          <dd data-testid="node-rtt">{formatRtt(node.rttMs)}</dd>
        </div>
        <div>
          <dt>Last seen</dt>
          <dd>
            <LastSeen at={node.lastSeenAt} now={now} />
          </dd>
        </div>
        <div className={styles.wide}>
          <dt>Pinned host key</dt>
          <dd>
            {node.hostKeyFingerprint ? (
              <Fingerprint value={node.hostKeyFingerprint} testId="node-pinned-fingerprint" />
            ) : (
              <span className={styles.none}>none yet: confirmed on first contact</span>
            )}
          </dd>
        </div>
        <div className={styles.wide}>
          <dt>Labels</dt>
          <dd>
            <LabelChips labels={node.labels} />
          </dd>
        </div>
        {node.notes && (
          <div className={styles.wide}>
            <dt>Notes</dt>
            <dd className={styles.notes}>{node.notes}</dd>
          </div>
        )}
        <div className={styles.wide}>
          <dt>Added</dt>
          <dd>
            <time dateTime={node.createdAt}>{fullTime(node.createdAt)}</time>
          </dd>
        </div>
      </dl>
    </Card>
  );
}
