import { useRouterState } from '@tanstack/react-router';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { IconSignOut } from '../../ui/icons';
import type { Me } from '../auth/use-me';
import { useSignOut } from '../auth/use-sign-out';
import { ConnectionBadge } from '../events/connection-indicator';
import styles from './top-bar.module.css';

const crumbs: Record<string, string[]> = {
  '/': ['Overview'],
  '/audit': ['Audit log'],
  '/settings/profile': ['Settings', 'Profile'],
};

export const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase())
    .join('');

export function TopBar({ me }: { me: Me }) {
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const signOut = useSignOut();
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
      </div>
    </header>
  );
}
