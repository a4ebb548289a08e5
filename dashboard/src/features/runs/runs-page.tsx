import { EmptyState } from '../../ui/states';
import { useMe } from '../auth/use-me';
import { PageHeader } from '../shell/page-header';
import { CommandsCard } from './commands-card';
import { NewRunCard } from './new-run-card';
import styles from './runs.module.css';
import { RunsTable } from './runs-table';

const subtitle = 'Run a command on many nodes at once and watch each one answer.';

export function RunsPage() {
  const { me, can } = useMe();
  // Starting runs and managing commands are for signed-in users (never guests or tokens).
  if (!me || !can('nodes:exec')) {
    return (
      <>
        <PageHeader title="Runs" subtitle={subtitle} />
        <EmptyState title="Nothing to show">Your role cannot run commands on nodes.</EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Runs" subtitle={subtitle} />
      <div className={styles.stack}>
        <NewRunCard adHoc={can('nodes:shell')} />
        <RunsTable />
        {can('commands:manage') && <CommandsCard />}
      </div>
    </>
  );
}
