import { EmptyState } from '../../ui/states';
import { useMe } from '../auth/use-me';
import { PageHeader } from '../shell/page-header';
import { AccountCard } from './account-card';
import { ApiTokensCard } from './api-tokens-card';
import { ChangePasswordCard } from './change-password-card';
import styles from './profile.module.css';
import { SessionsCard } from './sessions-card';
import { TwoFactorCard } from './two-factor-card';

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
      <PageHeader
        title="Profile"
        subtitle="Your account, how you sign in, where you are signed in and your API tokens."
      />
      <div className={styles.grid}>
        <div className={styles.column}>
          <AccountCard me={me} />
          <TwoFactorCard me={me} />
          <ChangePasswordCard me={me} />
        </div>
        <SessionsCard me={me} />
      </div>
      <div className={styles.wide}>
        <ApiTokensCard me={me} />
      </div>
    </>
  );
}
