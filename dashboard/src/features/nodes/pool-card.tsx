import { useQuery } from '@tanstack/react-query';
import { fullTime } from '../../lib/time';
import { trpc } from '../../lib/trpc';
import { Badge } from '../../ui/badge';
import { Card } from '../../ui/card';
import { ErrorState, LoadingState } from '../../ui/states';
import styles from './nodes.module.css';
import { formatRtt } from './queries';

/**
 * The core's SSH pool for this node: connections, channels, waiters, reconnects. It has no
 * event of its own; it is fetched again whenever a health event or a change for this node
 * arrives (see apply-node-event.ts), so no timer polls it.
 */
export function PoolCard({ nodeId }: { nodeId: string }) {
  const stats = useQuery(trpc.nodes.poolStats.queryOptions({ id: nodeId }));
  const s = stats.data;
  return (
    <Card title="SSH pool" description="The core’s pooled connections to this node." data-testid="node-pool">
      {stats.isPending ? (
        <LoadingState label="Loading pool state…" />
      ) : !s ? (
        <ErrorState
          error={stats.error}
          title="Could not load the pool state"
          onRetry={() => void stats.refetch()}
          retrying={stats.isFetching}
        />
      ) : (
        <dl className={styles.facts}>
          <div>
            <dt>Connections</dt>
            <dd data-testid="pool-connections">{s.connections}</dd>
          </div>
          <div>
            <dt>Channels in use</dt>
            <dd>
              {s.channelsInUse} <span className={styles.sub}>of {s.channelCapacity}</span>
            </dd>
          </div>
          <div>
            <dt>Waiting for a channel</dt>
            <dd>{s.queued}</dd>
          </div>
          <div>
            <dt>Reconnects</dt>
            <dd>
              {s.reconnects} <span className={styles.sub}>({s.connects} connects)</span>
            </dd>
          </div>
          <div>
            <dt>Last round trip</dt>
            <dd>{formatRtt(s.lastRttMs)}</dd>
          </div>
          <div>
            <dt>Circuit</dt>
            <dd>
              {s.circuit === 'open' ? (
                <Badge tone="red" dot>
                  Open{s.retryAt ? `: retry at ${fullTime(s.retryAt)}` : ''}
                </Badge>
              ) : (
                <Badge tone="green" dot>
                  Closed
                </Badge>
              )}
            </dd>
          </div>
          {s.lastError && (
            <div className={styles.wide}>
              <dt>Last error</dt>
              <dd className={styles.mono}>{s.lastError}</dd>
            </div>
          )}
        </dl>
      )}
    </Card>
  );
}
