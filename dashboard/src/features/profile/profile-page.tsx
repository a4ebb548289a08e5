import { EmptyState } from '../../ui/states';
import { useMe } from '../auth/use-me';
import { PageHeader } from '../shell/page-header';
import { AccountCard } from './account-card';
import { ChangePasswordCard } from './change-password-card';
import styles from './profile.module.css';
import { SessionsCard } from './sessions-card';

export function ProfilePage() {
  const { me } = useMe();
  if (!me) {
    return (
      <>
        <PageHeader title="Profile" />
        <EmptyState title="No profile">Guest access has no account of its own.</EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Profile" subtitle="Your account, your password and where you are signed in." />
      <div className={styles.grid}>
        <div className={styles.column}>
          <AccountCard me={me} />
          <ChangePasswordCard me={me} />
        </div>
        <SessionsCard me={me} />
      </div>
    </>
  );
}
