import type { UseQueryResult } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { AnimatePresence, motion } from 'motion/react';
import { useNow } from '../../lib/time';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { DataTable } from '../../ui/data-table';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import table from '../../ui/table.module.css';
import { LabelChips, LastSeen, StatusBadge } from './node-bits';
import styles from './nodes.module.css';
import { formatRtt, type NodeFilters, type NodeList, type NodeRow, pageSize } from './queries';

function Row({ node: n, now, onLabel }: { node: NodeRow; now: number; onLabel: (l: string) => void }) {
  return (
    <motion.tr
      layout="position"
      initial={{ opacity: 0 }}
      animate={{ opacity: 1 }}
      exit={{ opacity: 0 }}
      transition={{ duration: 0.2 }}
      data-testid="node-row"
      data-name={n.name}
      data-status={n.status}
    >
      <td>
        <StatusBadge status={n.status} reason={n.statusReason} />
      </td>
      <td>
        <div className={styles.nodeName}>
          <Link to="/nodes/$nodeId" params={{ nodeId: n.id }} data-testid="node-link">
            {n.name}
          </Link>
          {n.statusReason && (
            <span className={styles.reason} title={n.statusReason}>
              {n.statusReason}
            </span>
          )}
        </div>
      </td>
      <td>
        <span className={styles.address}>
          {n.username}@{n.host}:{n.port}
        </span>
      </td>
      <td>
        <LabelChips labels={n.labels} onPick={onLabel} />
      </td>
      <td>
        {n.facts?.os ? (
          <span className={styles.os} title={n.facts.os}>
            {n.facts.os}
          </span>
        ) : (
          <span className={styles.none}>—</span>
        )}
      </td>
      <td className={`${table.num} ${table.right}`}>{formatRtt(n.rttMs)}</td>
      <td className={table.nowrap}>
        <LastSeen at={n.lastSeenAt} now={now} />
      </td>
      <td>
        <div className={table.actions}>
          <Link to="/nodes/$nodeId" params={{ nodeId: n.id }} className={styles.open} aria-label={`Open ${n.name}`}>
            →
          </Link>
        </div>
      </td>
    </motion.tr>
  );
}

/** One page of nodes, live: health events patch rows in place. */
export function NodesTable({
  list,
  filters,
  canAdd,
  onAdd,
  onChange,
}: {
  list: UseQueryResult<NodeList, unknown>;
  filters: NodeFilters;
  canAdd: boolean;
  onAdd: () => void;
  onChange: (patch: NodeFilters) => void;
}) {
  const now = useNow(10_000);
  const filtered = Boolean(filters.search || filters.status || filters.label);
  const offset = filters.offset ?? 0;
  const data = list.data;
  let body: React.ReactNode;
  if (list.isPending) body = <LoadingState label="Loading nodes…" />;
  else if (!data)
    body = (
      <ErrorState
        error={list.error}
        title="Could not load the nodes"
        onRetry={() => void list.refetch()}
        retrying={list.isFetching}
      />
    );
  else if (data.items.length === 0 && filtered)
    body = (
      <EmptyState title="No nodes match these filters" icon="◌">
        <Button
          size="sm"
          variant="ghost"
          onClick={() => onChange({ search: undefined, status: undefined, label: undefined, offset: undefined })}
        >
          Clear filters
        </Button>
      </EmptyState>
    );
  else if (data.items.length === 0 && offset > 0)
    body = (
      <EmptyState title="Nothing on this page" icon="◌">
        <Button size="sm" variant="ghost" onClick={() => onChange({ offset: undefined })}>
          Back to the first page
        </Button>
      </EmptyState>
    );
  else if (data.items.length === 0)
    body = (
      <EmptyState title="No nodes yet" icon="◌">
        {canAdd ? (
          <div className={styles.prose}>
            <p>
              Add a server: serverbox reaches it over SSH with a key it keeps sealed, and needs no agent or open port.
            </p>
            <div>
              <Button variant="primary" onClick={onAdd} data-testid="empty-add-node">
                Add node
              </Button>
            </div>
          </div>
        ) : (
          'No node is shared with you yet. An admin adds nodes and decides who sees them.'
        )}
      </EmptyState>
    );
  else
    body = (
      <>
        <DataTable
          columns={['Status', 'Name', 'Address', 'Labels', 'OS', { label: 'RTT', className: table.right }, 'Last seen']}
        >
          <AnimatePresence initial={false}>
            {data.items.map((n) => (
              <Row key={n.id} node={n} now={now} onLabel={(label) => onChange({ label, offset: undefined })} />
            ))}
          </AnimatePresence>
        </DataTable>
        <footer className={styles.pager}>
          <span data-testid="nodes-count">
            {offset + 1}–{offset + data.items.length} of {data.total}
          </span>
          <div className={styles.pagerButtons}>
            <Button
              size="sm"
              variant="ghost"
              disabled={offset === 0}
              onClick={() => onChange({ offset: Math.max(0, offset - pageSize) || undefined })}
            >
              ← Previous
            </Button>
            <Button
              size="sm"
              variant="ghost"
              disabled={offset + data.items.length >= data.total}
              onClick={() => onChange({ offset: offset + pageSize })}
              data-testid="nodes-next"
            >
              Next →
            </Button>
          </div>
        </footer>
      </>
    );
  return (
    <Card
      title="Nodes"
      description={
        data
          ? `${data.total} ${data.total === 1 ? 'node' : 'nodes'}${filtered ? ' match' : ''}. Status is live.`
          : 'Your servers and how they are doing, live.'
      }
      flush
      data-testid="nodes-table"
      aria-busy={list.isFetching || undefined}
    >
      {body}
    </Card>
  );
}
