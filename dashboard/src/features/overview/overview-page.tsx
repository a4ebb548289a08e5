import { EmptyState } from '../../ui/states';
import { useMe } from '../auth/use-me';
import { ActivityFeed } from '../events/activity-feed';
import { HealthCard } from '../health/health-card';
import { PageHeader } from '../shell/page-header';
import styles from './overview-page.module.css';

export function OverviewPage() {
  const { me, guest, can } = useMe();
  const firstName = me?.user.name.split(/\s+/)[0];
  const subtitle = firstName
    ? `Welcome back, ${firstName}. Here is how serverbox is doing.`
    : guest && `Read-only guest access: ${guest.label}.`;
  return (
    <>
      <PageHeader title="Overview" subtitle={subtitle || undefined} />
      <div className={can('activity:read') ? styles.grid : styles.single}>
        {can('system:read') ? (
          <HealthCard />
        ) : (
          <EmptyState title="Nothing to show">Your role cannot read the core&rsquo;s health.</EmptyState>
        )}
        {can('activity:read') && <ActivityFeed />}
      </div>
    </>
  );
}
