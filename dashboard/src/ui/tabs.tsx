import type { KeyboardEvent, ReactNode } from 'react';
import styles from './tabs.module.css';

export interface TabItem<T extends string> {
  id: T;
  label: ReactNode;
}

/**
 * The WAI-ARIA tabs pattern: arrow keys (and Home/End) move between tabs, Tab moves into the
 * panel. `idPrefix` names the tabs and panels so `TabPanel` can point back at its tab.
 */
export function Tabs<T extends string>({
  label,
  idPrefix,
  tabs,
  value,
  onChange,
}: {
  label: string;
  idPrefix: string;
  tabs: readonly TabItem<T>[];
  value: T;
  onChange: (id: T) => void;
}) {
  const onKey = (e: KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === value);
    const step: Record<string, number> = { ArrowRight: i + 1, ArrowLeft: i - 1 + tabs.length, Home: 0, End: -1 };
    if (!(e.key in step)) return;
    e.preventDefault();
    const next = e.key === 'End' ? tabs.at(-1) : tabs[(step[e.key] ?? 0) % tabs.length];
    if (!next) return;
    onChange(next.id);
    document.getElementById(`${idPrefix}-tab-${next.id}`)?.focus();
  };
  return (
    <div className={styles.tabs} role="tablist" aria-label={label} onKeyDown={onKey}>
      {tabs.map((t) => (
        <button
          key={t.id}
          id={`${idPrefix}-tab-${t.id}`}
          type="button"
          role="tab"
          aria-selected={value === t.id}
          aria-controls={`${idPrefix}-panel-${t.id}`}
          tabIndex={value === t.id ? 0 : -1}
          className={styles.tab}
          onClick={() => onChange(t.id)}
          data-testid={`${idPrefix}-tab-${t.id}`}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

/** The panel of the selected tab, labelled by it. */
export function TabPanel({ idPrefix, id, children }: { idPrefix: string; id: string; children: ReactNode }) {
  return (
    <div id={`${idPrefix}-panel-${id}`} role="tabpanel" aria-labelledby={`${idPrefix}-tab-${id}`}>
      {children}
    </div>
  );
}
