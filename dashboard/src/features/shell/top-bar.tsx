import { useRouterState } from '@tanstack/react-router';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { IconEye, IconSignOut } from '../../ui/icons';
import type { Guest, Me } from '../auth/use-me';
import { useSignOut } from '../auth/use-sign-out';
import { ConnectionBadge } from '../events/connection-indicator';
import styles from './top-bar.module.css';

const crumbs: Record<string, string[]> = {
  '/': ['Overview'],
  '/audit': ['Audit log'],
  '/settings/profile': ['Settings', 'Profile'],
  '/settings/users': ['Settings', 'Users'],
  '/settings/guests': ['Settings', 'Guest links'],
};

export const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase())
    .join('');

export function TopBar({ who }: { who: Me | Guest }) {
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const trail = crumbs[pathname] ?? [];
  return (
    <header className={styles.bar}>
      <nav className={styles.crumbs} aria-label="Breadcrumb">
        {trail.map((c, i) => (
          <span key={c} className={i === trail.length - 1 ? styles.current : styles.crumb}>
            {i > 0 && <span className={styles.sep}>›</span>}
            {c}
          </span>
        ))}
      </nav>
      <div className={styles.right}>
        <ConnectionBadge />
        {who.kind === 'user' ? <SignedInUser me={who} /> : <GuestIdentity guest={who} />}
      </div>
    </header>
  );
}

function SignedInUser({ me }: { me: Me }) {
  const signOut = useSignOut();
  return (
    <>
      <div className={styles.user} data-testid="current-user">
        <span className={styles.avatar} aria-hidden>
          {initials(me.user.name)}
        </span>
        <span className={styles.name}>{me.user.name}</span>
        <Badge tone="accent">{me.user.role}</Badge>
      </div>
      <Button
        size="sm"
        variant="ghost"
        onClick={() => signOut.mutate()}
        pending={signOut.isPending}
        pendingText="Signing out…"
        data-testid="sign-out"
      >
        <span className={styles.signOut}>
          <IconSignOut /> Sign out
        </span>
      </Button>
    </>
  );
}

// A guest holds no account to sign out of: the link's cookie is HttpOnly and the core has
// no call that ends a guest session, so there is no "end session" button to offer honestly.
function GuestIdentity({ guest }: { guest: Guest }) {
  return (
    <div className={styles.user} data-testid="current-guest">
      <span className={`${styles.avatar} ${styles.guestAvatar}`} aria-hidden>
        <IconEye />
      </span>
      <span className={styles.name}>{guest.label}</span>
      <Badge tone="amber">guest</Badge>
    </div>
  );
}
