import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { DataTable } from '../../ui/data-table';
import { Input } from '../../ui/input';
import { Select } from '../../ui/select';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import table from '../../ui/table.module.css';
import {
  type ActiveState,
  activeStates,
  activeTone,
  type UnitFilters,
  type UnitList,
  unitPageSize,
  unitsQuery,
} from './queries';
import styles from './services.module.css';
import { UnitDrawer } from './unit-drawer';

const typingDelayMs = 300;

function Filters({
  filters,
  counts,
  onChange,
}: {
  filters: UnitFilters;
  counts: Record<string, number>;
  onChange: (f: UnitFilters) => void;
}) {
  const [draft, setDraft] = useState(filters.search ?? '');
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const apply = (v: string) => onChange({ ...filters, search: v.trim() || undefined, offset: undefined });
  return (
    <search className={styles.filters} aria-label="Filter the units">
      <Input
        label="Search units"
        type="search"
        placeholder="Unit name or description"
        value={draft}
        spellCheck={false}
        autoComplete="off"
        data-testid="units-search"
        onChange={(e) => {
          const v = e.target.value;
          setDraft(v);
          clearTimeout(timer.current);
          timer.current = setTimeout(() => apply(v), typingDelayMs);
        }}
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return;
          clearTimeout(timer.current);
          apply(draft);
        }}
      />
      <Select
        label="State"
        value={filters.state ?? ''}
        onChange={(e) =>
          onChange({ ...filters, state: (e.target.value || undefined) as ActiveState | undefined, offset: undefined })
        }
        data-testid="units-filter-state"
      >
        <option value="">Any</option>
        {activeStates.map((s) => (
          <option key={s} value={s}>
            {s}
            {counts[s] ? ` (${counts[s]})` : ''}
          </option>
        ))}
      </Select>
    </search>
  );
}

function Rows({ data, onOpen }: { data: UnitList; onOpen: (unit: string) => void }) {
  return (
    <DataTable columns={['Unit', 'State', 'Enablement']}>
      {data.items.map((u) => (
        <tr key={u.unit} data-testid="unit-row" data-unit={u.unit} data-state={u.active}>
          <td>
            <button type="button" className={styles.unitLink} onClick={() => onOpen(u.unit)} data-testid="unit-open">
              {u.unit}
            </button>
            {u.description && <div className={table.secondary}>{u.description}</div>}
          </td>
          <td>
            <Badge tone={activeTone(u.active)} dot data-testid="unit-row-state">
              {u.active} ({u.sub})
            </Badge>
          </td>
          <td className={styles.mono}>{u.enablement ?? '—'}</td>
          <td>
            <div className={table.actions}>
              <Button size="sm" variant="ghost" onClick={() => onOpen(u.unit)} aria-label={`Details of ${u.unit}`}>
                Details →
              </Button>
            </div>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** A node's systemd services: search, state filter, pages; a unit opens in a drawer. */
export function ServicesTab({
  nodeId,
  nodeName,
  canWrite,
  unit,
  onUnit,
}: {
  nodeId: string;
  nodeName: string;
  canWrite: boolean;
  /** The open unit (in the URL, so a unit's page can be linked). */
  unit: string | undefined;
  onUnit: (unit: string | undefined) => void;
}) {
  const [filters, setFilters] = useState<UnitFilters>({});
  const list = useQuery(unitsQuery(nodeId, filters));
  const data = list.data;
  const offset = filters.offset ?? 0;
  const filtered = Boolean(filters.search || filters.state);
  let body: React.ReactNode;
  if (list.isPending) body = <LoadingState label={`Listing the services of ${nodeName}…`} />;
  else if (!data)
    body = (
      <ErrorState
        error={list.error}
        title="Could not list the services"
        onRetry={() => void list.refetch()}
        retrying={list.isFetching}
      />
    );
  else if (data.items.length === 0)
    body = (
      <EmptyState title={filtered ? 'No unit matches these filters' : 'No service units'} icon="◌">
        {filtered && (
          <Button size="sm" variant="ghost" onClick={() => setFilters({})}>
            Clear filters
          </Button>
        )}
      </EmptyState>
    );
  else
    body = (
      <>
        <Rows data={data} onOpen={onUnit} />
        <footer className={styles.pager}>
          <span data-testid="units-count">
            {offset + 1}–{offset + data.items.length} of {data.total}
          </span>
          <div className={styles.pagerButtons}>
            <Button
              size="sm"
              variant="ghost"
              disabled={offset === 0}
              onClick={() => setFilters({ ...filters, offset: Math.max(0, offset - unitPageSize) || undefined })}
            >
              ← Previous
            </Button>
            <Button
              size="sm"
              variant="ghost"
              disabled={offset + data.items.length >= data.total}
              onClick={() => setFilters({ ...filters, offset: offset + unitPageSize })}
            >
              Next →
            </Button>
          </div>
        </footer>
      </>
    );
  return (
    <>
      <Filters filters={filters} counts={data?.counts ?? {}} onChange={setFilters} />
      <Card
        title="Services"
        description={
          data
            ? `${data.total} systemd service ${data.total === 1 ? 'unit' : 'units'}${filtered ? ' match' : ''}. Changes show live.`
            : `systemd service units on ${nodeName}.`
        }
        flush
        data-testid="services-table"
        aria-busy={list.isFetching || undefined}
      >
        {body}
      </Card>
      {unit && (
        <UnitDrawer
          nodeId={nodeId}
          nodeName={nodeName}
          unit={unit}
          canWrite={canWrite}
          onClose={() => onUnit(undefined)}
        />
      )}
    </>
  );
}
