import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import type { Me } from '../auth/use-me';
import { useSignOut } from '../auth/use-sign-out';
import { initials } from '../shell/top-bar';
import styles from './profile.module.css';

export function AccountCard({ me }: { me: Me }) {
  const signOut = useSignOut();
  return (
    <Card title="Account" data-testid="account-card">
      <div className={styles.account}>
        <span className={styles.avatar} aria-hidden>
          {initials(me.user.name)}
        </span>
        <div className={styles.identity}>
          <p className={styles.name}>{me.user.name}</p>
          <p className={styles.email}>{me.user.email}</p>
        </div>
        <Badge tone="accent">{me.user.role}</Badge>
      </div>
      <div className={styles.accountFooter}>
        <p className={styles.muted}>Signing out ends the session on this device only.</p>
        <Button
          onClick={() => signOut.mutate()}
          pending={signOut.isPending}
          pendingText="Signing out…"
          data-testid="profile-sign-out"
        >
          Sign out
        </Button>
      </div>
    </Card>
  );
}
