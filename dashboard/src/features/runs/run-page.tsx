import { useMutation, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { duration, fullTime, relativeTime, useNow } from '../../lib/time';
import { trpc } from '../../lib/trpc';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { ConfirmDialog } from '../../ui/dialog';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { PageHeader } from '../shell/page-header';
import { liveOutputQuery } from './live-output';
import { NodeOutput } from './node-output';
import { plural, runQuery, summaryOf } from './queries';
import styles from './run-page.module.css';
import { RunStatusBadge } from './runs-table';

const route = getRouteApi('/_app/runs/$runId');

/** One run: each node's output, live while it runs; the stored result once it ended. */
export function RunPage() {
  const { runId } = route.useParams();
  const run = useQuery(runQuery(runId));
  const live = useQuery(liveOutputQuery(runId));
  const now = useNow(1000);
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: () => setConfirming(false) }));

  const back = (
    <Link to="/runs" className={styles.back}>
      ← All runs
    </Link>
  );
  if (run.isPending) return <LoadingState label="Loading the run…" />;
  if (run.isError) {
    return (
      <>
        {back}
        <ErrorState
          error={run.error}
          title="Could not load this run"
          onRetry={() => void run.refetch()}
          retrying={run.isFetching}
        />
      </>
    );
  }
  const r = run.data;
  const s = summaryOf(r.nodes);
  // The core counts a cancelled node as failed; the page says which.
  const cancelled = r.nodes.filter((n) => n.status === 'cancelled').length;
  const running = r.status === 'running';
  const end = r.finishedAt ? Date.parse(r.finishedAt) : now;
  return (
    <>
      {back}
      <PageHeader
        title={r.title}
        subtitle={
          <span className={styles.meta}>
            <RunStatusBadge status={r.status} />
            {r.adHoc && <Badge tone="amber">ad-hoc</Badge>}
            <span>
              by {r.startedByName},{' '}
              <time dateTime={r.startedAt} title={fullTime(r.startedAt)}>
                {relativeTime(r.startedAt, now)}
              </time>
            </span>
            <span data-testid="run-duration">
              {running ? 'running for' : 'took'} {duration((end - Date.parse(r.startedAt)) / 1000)}
            </span>
          </span>
        }
        actions={
          running && (
            <Button variant="danger" onClick={() => setConfirming(true)} data-testid="run-cancel">
              Cancel run
            </Button>
          )
        }
      />
      <p className={styles.summary} aria-live="polite" data-testid="run-summary-line">
        {plural(s.total, 'node')}: {s.succeeded} succeeded, {s.failed - cancelled} failed
        {cancelled ? `, ${cancelled} cancelled` : ''}
        {s.running ? `, ${s.running} still running` : ''}.
      </p>
      {r.nodes.length === 0 ? (
        <EmptyState title="No nodes to show">The nodes of this run are outside your scope.</EmptyState>
      ) : (
        <div className={styles.nodes}>
          {r.nodes.map((n) => (
            <NodeOutput key={n.nodeId ?? n.nodeName} node={n} live={n.nodeId ? live.data[n.nodeId] : undefined} />
          ))}
        </div>
      )}
      <ConfirmDialog
        open={confirming && running}
        title={`Cancel the run ${r.title}?`}
        confirmLabel="Cancel run"
        cancelLabel="Keep running"
        pendingLabel="Cancelling…"
        pending={cancel.isPending}
        error={cancel.error ? errorMessage(cancel.error) : undefined}
        onConfirm={() => cancel.mutate({ runId })}
        onCancel={() => {
          setConfirming(false);
          cancel.reset();
        }}
      >
        <p>
          The command is stopped on the {plural(s.running, 'node')} still running; nodes that finished keep their
          result.
        </p>
      </ConfirmDialog>
    </>
  );
}
