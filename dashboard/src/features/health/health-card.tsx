import type { AppRouter } from '@serverbox/core/router';
import { useQuery } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { duration, fullTime, relativeTime, shortTime, useNow } from '../../lib/time';
import { trpc } from '../../lib/trpc';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { ErrorState, LoadingState } from '../../ui/states';
import styles from './health-card.module.css';

type Health = inferRouterOutputs<AppRouter>['system']['health'];
type Part = Health['redis'];

function Component({ name, part, extra, testId }: { name: string; part: Part; extra?: string; testId: string }) {
  return (
    <div className={styles.part} data-testid={testId} data-ok={part.ok}>
      <div className={styles.partHead}>
        <span className={styles.partName}>{name}</span>
        <Badge tone={part.ok ? 'green' : 'red'} dot>
          {part.ok ? 'OK' : 'Failing'}
        </Badge>
      </div>
      <p className={styles.detail} title={part.detail}>
        {extra && <span className={styles.kind}>{extra}</span>}
        {part.detail}
      </p>
      {part.ok ? (
        <p className={styles.latency}>
          <span className={styles.latencyValue}>{part.latencyMs?.toFixed(part.latencyMs < 10 ? 2 : 0)}</span> ms round
          trip
        </p>
      ) : (
        <p className={styles.failure} role="alert">
          {part.error ?? 'Unreachable'}
        </p>
      )}
    </div>
  );
}

/** Whether the core and what it stands on (database, Redis) are well. */
export function HealthCard() {
  const health = useQuery(trpc.system.health.queryOptions(undefined, { refetchInterval: 30_000 }));
  const now = useNow(1000);
  const data = health.data;
  // Uptime ticks locally from the last answer instead of asking the core every second.
  const uptime = data ? data.uptimeSeconds + (now - health.dataUpdatedAt) / 1000 : 0;
  return (
    <Card
      title="Core health"
      description="The core and what it stands on."
      data-testid="health-card"
      actions={
        data && (
          <Badge tone={data.status === 'ok' ? 'green' : 'amber'} dot data-testid="health-status">
            {data.status === 'ok' ? 'Operational' : 'Degraded'}
          </Badge>
        )
      }
    >
      {health.isPending ? (
        <LoadingState label="Checking the core…" />
      ) : health.isError ? (
        <ErrorState
          error={health.error}
          title="Could not reach the core"
          onRetry={() => void health.refetch()}
          retrying={health.isFetching}
        />
      ) : (
        <div className={styles.body}>
          <div className={styles.parts}>
            <Component
              name="Database"
              part={health.data.database}
              extra={health.data.database.kind}
              testId="health-database"
            />
            <Component name="Redis" part={health.data.redis} testId="health-redis" />
          </div>
          <dl className={styles.facts}>
            <div>
              <dt>Version</dt>
              <dd className={styles.mono}>{health.data.version}</dd>
            </div>
            <div>
              <dt>Uptime</dt>
              <dd title={`Started ${fullTime(health.data.startedAt)}`}>{duration(uptime)}</dd>
            </div>
            <div>
              <dt>Node.js</dt>
              <dd className={styles.mono}>{health.data.node}</dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd title={fullTime(health.data.startedAt)}>{shortTime(health.data.startedAt)}</dd>
            </div>
          </dl>
          <div className={styles.footer}>
            <span>Checked {relativeTime(new Date(health.dataUpdatedAt).toISOString(), now)}; again every 30 s.</span>
            <Button
              size="sm"
              variant="ghost"
              onClick={() => void health.refetch()}
              pending={health.isFetching}
              pendingText="Checking…"
            >
              Check now
            </Button>
          </div>
        </div>
      )}
    </Card>
  );
}
