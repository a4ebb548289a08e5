import { type KeyboardEvent, useState } from 'react';
import { Card } from '../../ui/card';
import { AdHocRunForm } from './adhoc-run-form';
import { NamedRunForm } from './named-run-form';
import type { Targets } from './queries';
import styles from './runs.module.css';

type Tab = 'named' | 'adhoc';
const tabs: { id: Tab; label: string }[] = [
  { id: 'named', label: 'Named command' },
  { id: 'adhoc', label: 'Ad-hoc command' },
];

/** Starts a run: a named command for anyone with nodes:exec; ad-hoc shell too for admins. */
export function NewRunCard({ adHoc }: { adHoc: boolean }) {
  const [tab, setTab] = useState<Tab>('named');
  // The targets stay when switching tabs: the same nodes, another command.
  const [targets, setTargets] = useState<Targets>({ labels: [], nodeIds: [] });
  const shown = adHoc ? tabs : tabs.slice(0, 1);
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern); Tab moves into the panel.
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = shown.findIndex((t) => t.id === tab);
    const next = shown[(i + (e.key === 'ArrowRight' ? 1 : shown.length - 1)) % shown.length];
    if (!next) return;
    setTab(next.id);
    document.getElementById(`run-tab-${next.id}`)?.focus();
  };
  const form =
    tab === 'named' ? (
      <NamedRunForm targets={targets} onTargets={setTargets} />
    ) : (
      <AdHocRunForm targets={targets} onTargets={setTargets} />
    );
  return (
    <Card
      title="New run"
      description="Runs on every chosen node at once; each node's output streams live."
      data-testid="new-run"
    >
      {shown.length > 1 && (
        <div className={styles.tabs} role="tablist" aria-label="Kind of run" onKeyDown={onKey}>
          {shown.map((t) => (
            <button
              key={t.id}
              id={`run-tab-${t.id}`}
              type="button"
              role="tab"
              aria-selected={tab === t.id}
              aria-controls={`run-panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              className={styles.tab}
              onClick={() => setTab(t.id)}
              data-testid={`run-tab-${t.id}`}
            >
              {t.label}
            </button>
          ))}
        </div>
      )}
      {shown.length > 1 ? (
        <div id={`run-panel-${tab}`} role="tabpanel" aria-labelledby={`run-tab-${tab}`}>
          {form}
        </div>
      ) : (
        form
      )}
    </Card>
  );
}
