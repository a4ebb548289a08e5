import { useEffect, useRef, useState } from 'react';
import { Button } from '../../ui/button';
import { Input } from '../../ui/input';
import { Select } from '../../ui/select';
import styles from './audit-filter-bar.module.css';
import { fromLocalInput, toLocalInput } from './audit-format';
import { type AuditFilters, hasFilters, noFilters, type Outcome, outcomes } from './queries';

const typingDelayMs = 300;

/** A text filter that edits a draft and applies it once typing pauses. */
function TextFilter({
  label,
  placeholder,
  value,
  onApply,
}: {
  label: string;
  placeholder: string;
  value: string | undefined;
  onApply: (v: string | undefined) => void;
}) {
  const [draft, setDraft] = useState(value ?? '');
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  // The URL changed under us (Clear, back button): show what it says.
  useEffect(() => {
    clearTimeout(timer.current);
    setDraft(value ?? '');
  }, [value]);
  useEffect(() => () => clearTimeout(timer.current), []);
  const apply = (v: string) => onApply(v.trim() || undefined);
  return (
    <Input
      label={label}
      placeholder={placeholder}
      value={draft}
      spellCheck={false}
      autoComplete="off"
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
  );
}

/** Filters live in the URL; this bar only edits them. */
export function AuditFilterBar({
  filters,
  onChange,
}: {
  filters: AuditFilters;
  onChange: (patch: Partial<AuditFilters>) => void;
}) {
  return (
    <search className={styles.bar} aria-label="Filter the audit log" data-testid="audit-filters">
      <TextFilter
        label="Actor"
        placeholder="Name or id"
        value={filters.actor}
        onApply={(actor) => onChange({ actor })}
      />
      <TextFilter
        label="Action"
        placeholder="e.g. auth."
        value={filters.action}
        onApply={(action) => onChange({ action })}
      />
      <TextFilter
        label="Target"
        placeholder="Type or name"
        value={filters.target}
        onApply={(target) => onChange({ target })}
      />
      <Select
        label="Outcome"
        value={filters.outcome ?? ''}
        onChange={(e) => onChange({ outcome: (e.target.value || undefined) as Outcome | undefined })}
        data-testid="filter-outcome"
      >
        <option value="">Any</option>
        {outcomes.map((o) => (
          <option key={o} value={o}>
            {o[0]?.toUpperCase() + o.slice(1)}
          </option>
        ))}
      </Select>
      <Input
        label="From"
        type="datetime-local"
        value={toLocalInput(filters.from)}
        max={toLocalInput(filters.to) || undefined}
        onChange={(e) => onChange({ from: fromLocalInput(e.target.value) })}
      />
      <Input
        label="To"
        type="datetime-local"
        value={toLocalInput(filters.to)}
        min={toLocalInput(filters.from) || undefined}
        onChange={(e) => onChange({ to: fromLocalInput(e.target.value) })}
      />
      <div className={styles.clear}>
        <Button variant="ghost" disabled={!hasFilters(filters)} onClick={() => onChange(noFilters)}>
          Clear
        </Button>
      </div>
    </search>
  );
}
