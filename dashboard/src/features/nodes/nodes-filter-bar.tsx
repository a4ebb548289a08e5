import { useEffect, useId, useRef, useState } from 'react';
import { Button } from '../../ui/button';
import { Input } from '../../ui/input';
import { Select } from '../../ui/select';
import styles from './nodes.module.css';
import { type NodeFilters, type NodeStatus, statuses, statusMeta } from './queries';

const typingDelayMs = 300;

/** Search, status and label; they live in the URL and this bar only edits them. */
export function NodesFilterBar({
  filters,
  labels,
  onChange,
}: {
  filters: NodeFilters;
  /** Labels present on the nodes in view, for the label choice. */
  labels: readonly string[];
  onChange: (patch: NodeFilters) => void;
}) {
  const [draft, setDraft] = useState(filters.search ?? '');
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const searchId = useId();
  useEffect(() => {
    clearTimeout(timer.current);
    setDraft(filters.search ?? '');
  }, [filters.search]);
  useEffect(() => () => clearTimeout(timer.current), []);
  // "/" jumps to the search box, as everywhere in the dashboard's keyboard map.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      if (document.querySelector('dialog[open]')) return;
      e.preventDefault();
      document.getElementById(searchId)?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [searchId]);
  const apply = (v: string) => onChange({ search: v.trim() || undefined, offset: undefined });
  const any = Boolean(filters.search || filters.status || filters.label);
  // A label chosen from the URL stays choosable even when no node in view carries it.
  const labelOptions = filters.label && !labels.includes(filters.label) ? [filters.label, ...labels] : labels;
  return (
    <search className={styles.filters} aria-label="Filter the nodes" data-testid="nodes-filters">
      <Input
        id={searchId}
        label="Search"
        type="search"
        placeholder="Name, host, label or OS  ( / )"
        value={draft}
        spellCheck={false}
        autoComplete="off"
        data-testid="nodes-search"
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
        label="Status"
        value={filters.status ?? ''}
        onChange={(e) =>
          onChange({ status: (e.target.value || undefined) as NodeStatus | undefined, offset: undefined })
        }
        data-testid="nodes-filter-status"
      >
        <option value="">Any</option>
        {statuses.map((s) => (
          <option key={s} value={s}>
            {statusMeta[s].label}
          </option>
        ))}
      </Select>
      <Select
        label="Label"
        value={filters.label ?? ''}
        onChange={(e) => onChange({ label: e.target.value || undefined, offset: undefined })}
        data-testid="nodes-filter-label"
      >
        <option value="">Any</option>
        {labelOptions.map((l) => (
          <option key={l} value={l}>
            {l}
          </option>
        ))}
      </Select>
      <Button
        variant="ghost"
        disabled={!any}
        onClick={() => onChange({ search: undefined, status: undefined, label: undefined, offset: undefined })}
      >
        Clear
      </Button>
    </search>
  );
}
