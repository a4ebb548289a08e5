import { useState } from 'react';
import { Card } from '../../ui/card';
import { TabPanel, Tabs } from '../../ui/tabs';
import { AdHocRunForm } from './adhoc-run-form';
import { NamedRunForm } from './named-run-form';
import type { Targets } from './queries';

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
      {shown.length > 1 ? (
        <>
          <Tabs label="Kind of run" idPrefix="run" tabs={shown} value={tab} onChange={setTab} />
          <TabPanel idPrefix="run" id={tab}>
            {form}
          </TabPanel>
        </>
      ) : (
        form
      )}
    </Card>
  );
}
