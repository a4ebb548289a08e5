import { useState } from 'react';
import { Button } from '../../ui/button';
import { EmptyState } from '../../ui/states';
import { useMe } from '../auth/use-me';
import { PageHeader } from '../shell/page-header';
import { InviteDialog } from './invite-dialog';
import { InvitesCard } from './invites-card';
import { TwoFactorPolicyCard } from './two-factor-policy-card';
import styles from './users.module.css';
import { UsersTable } from './users-table';

const subtitle = 'Who can sign in, and with which role. Changes apply at once: the affected sessions end.';

export function UsersPage() {
  const { me, can } = useMe();
  const [inviting, setInviting] = useState(false);
  if (!me || !can('users:manage')) {
    return (
      <>
        <PageHeader title="Users" subtitle={subtitle} />
        <EmptyState title="Nothing to show">Your role cannot manage users.</EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Users"
        subtitle={subtitle}
        actions={
          <Button variant="primary" onClick={() => setInviting(true)} data-testid="invite-user">
            Invite user
          </Button>
        }
      />
      <div className={styles.stack}>
        <UsersTable meId={me.user.id} />
        <InvitesCard />
        {can('settings:manage') && <TwoFactorPolicyCard />}
      </div>
      <InviteDialog open={inviting} onClose={() => setInviting(false)} />
    </>
  );
}
