import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { duration, fullTime, relativeTime, useNow } from '../../lib/time';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { DataTable } from '../../ui/data-table';
import { QueryList } from '../../ui/query-list';
import { EmptyState } from '../../ui/states';
import table from '../../ui/table.module.css';
import { type RunListRow, runStatusMeta, runsListQuery, runsPageSize, summaryText } from './queries';
import styles from './runs.module.css';

export function RunStatusBadge({ status }: { status: RunListRow['status'] }) {
  const m = runStatusMeta[status];
  return (
    <span data-testid="run-status" data-status={status}>
      <Badge tone={m.tone} dot pulse={status === 'running'}>
        {m.label}
      </Badge>
    </span>
  );
}

function Row({ run, now }: { run: RunListRow; now: number }) {
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  return (
    <tr data-testid="run-row" data-run-id={run.id} data-status={run.status}>
      <td className={styles.runCell}>
        <Link to="/runs/$runId" params={{ runId: run.id }} className={styles.runLink}>
          {run.title}
        </Link>
        {run.adHoc && <Badge tone="amber">ad-hoc</Badge>}
      </td>
      <td>
        <RunStatusBadge status={run.status} />
      </td>
      <td className={table.nowrap} data-testid="run-summary">
        {summaryText(run.summary)}
      </td>
      <td>{run.startedByName}</td>
      <td className={table.nowrap}>
        <time dateTime={run.startedAt} title={fullTime(run.startedAt)}>
          {relativeTime(run.startedAt, now)}
        </time>
      </td>
      <td className={`${table.num} ${table.right}`}>{duration((end - Date.parse(run.startedAt)) / 1000)}</td>
      <td>
        <div className={table.actions}>
          <Link
            to="/runs/$runId"
            params={{ runId: run.id }}
            className={styles.open}
            aria-label={`Open run ${run.title}`}
          >
            Open
          </Link>
        </div>
      </td>
    </tr>
  );
}

/** Recent runs, newest first, a page at a time; run events refetch the page on screen. */
export function RunsTable() {
  const [page, setPage] = useState(0);
  const opts = { ...runsListQuery(page), placeholderData: keepPreviousData };
  const list = useQuery(opts);
  const rows = useQuery({ ...opts, select: (d) => d.items });
  const now = useNow(5_000);
  const total = list.data?.total ?? 0;
  const first = page * runsPageSize;
  return (
    <Card
      title="Recent runs"
      description={list.data ? `${total} ${total === 1 ? 'run' : 'runs'} in all.` : 'Every fleet run, newest first.'}
      flush
      data-testid="runs-table"
    >
      <QueryList
        query={rows}
        loading="Loading runs…"
        errorTitle="Could not load runs"
        empty={<EmptyState title="No runs yet">Runs you and others start appear here, live.</EmptyState>}
      >
        {(items) => (
          <DataTable
            columns={['Run', 'Status', 'Result', 'Started by', 'Started', { label: 'Took', className: table.right }]}
          >
            {items.map((r) => (
              <Row key={r.id} run={r} now={now} />
            ))}
          </DataTable>
        )}
      </QueryList>
      {total > runsPageSize && (
        <nav className={styles.pager} aria-label="Pages of runs">
          <span className={styles.hint}>
            {first + 1}–{Math.min(first + runsPageSize, total)} of {total}
          </span>
          <Button size="sm" variant="ghost" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
            Newer
          </Button>
          <Button
            size="sm"
            variant="ghost"
            disabled={first + runsPageSize >= total}
            onClick={() => setPage((p) => p + 1)}
            data-testid="runs-next-page"
          >
            Older
          </Button>
        </nav>
      )}
    </Card>
  );
}
