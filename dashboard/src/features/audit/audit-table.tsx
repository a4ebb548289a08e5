import { useInfiniteQuery } from '@tanstack/react-query';
import { motion } from 'motion/react';
import { useRef } from 'react';
import { errorMessage } from '../../lib/errors';
import { fullTime, useNow } from '../../lib/time';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { actorTone, outcomeTone, plural, tableTime, targetLabel } from './audit-format';
import styles from './audit-table.module.css';
import { LiveIndicator } from './live-indicator';
import { type AuditFilters, type AuditRow, auditListQuery, hasFilters } from './queries';

function Row({
  row,
  now,
  fresh,
  selected,
  onOpen,
}: {
  row: AuditRow;
  now: number;
  fresh: boolean;
  selected: boolean;
  onOpen: (seq: number) => void;
}) {
  return (
    <motion.tr
      className={styles.row}
      // Only rows that arrived live flash in; the first page and older pages just appear.
      initial={fresh ? { opacity: 0, y: -8, backgroundColor: 'rgba(139, 124, 246, 0.16)' } : false}
      animate={{ opacity: 1, y: 0, backgroundColor: 'rgba(139, 124, 246, 0)' }}
      transition={{ duration: 0.35, ease: [0.2, 0, 0, 1], backgroundColor: { duration: 2.4 } }}
      data-selected={selected || undefined}
      data-testid="audit-row"
      data-seq={row.seq}
      data-action={row.action}
      data-outcome={row.outcome}
      // The seq button is the keyboard path; a click anywhere on the row is a shortcut for the mouse.
      onClick={() => onOpen(row.seq)}
    >
      <td>
        <button
          type="button"
          className={styles.seq}
          onClick={(e) => {
            e.stopPropagation();
            onOpen(row.seq);
          }}
          aria-label={`Details of row ${row.seq}`}
        >
          {row.seq}
        </button>
      </td>
      <td className={styles.time} title={fullTime(row.at)}>
        <time dateTime={row.at}>{tableTime(row.at, now)}</time>
      </td>
      <td>
        <span className={styles.actor}>
          <span className={styles.ellipsis} title={row.actor.id ?? undefined}>
            {row.actor.name}
          </span>
          <Badge tone={actorTone[row.actor.type]}>{row.actor.type}</Badge>
        </span>
      </td>
      <td className={styles.action}>
        <span className={styles.ellipsis} title={row.action}>
          {row.action}
        </span>
      </td>
      <td className={styles.target}>
        {row.target ? (
          <span className={styles.ellipsis} title={`${row.target.type} ${row.target.id ?? ''}`}>
            <span className={styles.targetType}>{row.target.type}</span> {targetLabel(row.target)}
          </span>
        ) : (
          <span className={styles.none}>—</span>
        )}
      </td>
      <td>
        <Badge tone={outcomeTone[row.outcome]} dot>
          {row.outcome}
        </Badge>
      </td>
      <td className={styles.ip}>{row.ip ?? <span className={styles.none}>—</span>}</td>
    </motion.tr>
  );
}

function Rows({
  rows,
  selectedSeq,
  onOpen,
}: {
  rows: AuditRow[];
  selectedSeq?: number;
  onOpen: (seq: number) => void;
}) {
  const now = useNow(30_000);
  // Newest row when this list first showed: anything newer came in live.
  const baseline = useRef(rows[0]?.seq ?? 0);
  return (
    <div className={styles.scroll}>
      <table className={styles.table}>
        <colgroup>
          <col className={styles.colSeq} />
          <col className={styles.colTime} />
          <col className={styles.colActor} />
          <col className={styles.colAction} />
          <col />
          <col className={styles.colOutcome} />
          <col className={styles.colIp} />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">IP</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <Row
              key={r.seq}
              row={r}
              now={now}
              fresh={r.seq > baseline.current}
              selected={r.seq === selectedSeq}
              onOpen={onOpen}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AuditTable({
  filters,
  selectedSeq,
  onOpen,
  onClearFilters,
}: {
  filters: AuditFilters;
  selectedSeq?: number;
  onOpen: (seq: number) => void;
  onClearFilters: () => void;
}) {
  const list = useInfiniteQuery(auditListQuery(filters));
  const rows = list.data?.pages.flatMap((p) => p.rows) ?? [];
  const filtered = hasFilters(filters);
  return (
    <Card
      title="Events"
      description={filtered ? 'Matching the filters above, newest first.' : 'Everything, newest first.'}
      actions={<LiveIndicator filters={filters} />}
      flush
      data-testid="audit-table"
    >
      {list.isPending ? (
        <LoadingState label="Loading the audit log…" />
      ) : !list.data ? (
        <ErrorState
          error={list.error}
          title="Could not load the audit log"
          onRetry={() => void list.refetch()}
          retrying={list.isFetching}
        />
      ) : rows.length === 0 ? (
        filtered ? (
          <EmptyState title="No events match these filters" icon="◌">
            <Button size="sm" variant="ghost" onClick={onClearFilters}>
              Clear filters
            </Button>
          </EmptyState>
        ) : (
          <EmptyState title="The audit log is empty" icon="◌">
            Sign-ins, changes and refused requests are recorded here the moment they happen.
          </EmptyState>
        )
      ) : (
        <>
          <Rows key={JSON.stringify(filters)} rows={rows} selectedSeq={selectedSeq} onOpen={onOpen} />
          <footer className={styles.footer}>
            <span className={styles.count} data-testid="audit-count">
              {plural(rows.length, 'event', 'events')} shown
            </span>
            {list.isFetchNextPageError && (
              <span className={styles.pageError} role="alert">
                {errorMessage(list.error)}
              </span>
            )}
            {list.hasNextPage ? (
              <Button
                size="sm"
                onClick={() => void list.fetchNextPage()}
                pending={list.isFetchingNextPage}
                pendingText="Loading older…"
                data-testid="audit-load-older"
              >
                {list.isFetchNextPageError ? 'Try again' : 'Load older'}
              </Button>
            ) : (
              <span className={styles.end} data-testid="audit-end">
                {filtered ? 'No older matches' : 'Start of the log'}
              </span>
            )}
          </footer>
        </>
      )}
    </Card>
  );
}
