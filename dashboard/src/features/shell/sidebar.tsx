import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import {
  IconAudit,
  IconKeyboard,
  IconLink,
  IconNodes,
  IconOverview,
  IconRuns,
  IconUser,
  IconUsers,
} from '../../ui/icons';
import { Kbd } from '../../ui/kbd';
import { Logo } from '../../ui/logo';
import type { Permission } from '../auth/use-me';
import styles from './sidebar.module.css';

function NavLink({
  to,
  icon,
  children,
  testId,
  exact = true,
}: {
  to: '/' | '/nodes' | '/runs' | '/audit' | '/settings/profile' | '/settings/users' | '/settings/guests';
  icon: ReactNode;
  children: string;
  testId: string;
  /** Whether only the page itself counts as active, not pages under it (a node under Nodes). */
  exact?: boolean;
}) {
  return (
    <Link
      to={to}
      className={styles.link}
      activeProps={{ className: `${styles.link} ${styles.active}`, 'aria-current': 'page' }}
      activeOptions={{ exact, includeSearch: false }}
      data-testid={testId}
    >
      <span className={styles.icon}>{icon}</span>
      {children}
    </Link>
  );
}

const settings: Permission[] = ['profile:manage', 'users:manage', 'guests:manage'];

/** Only pages that exist, and only those the user (or guest) may open. */
export function Sidebar({ can, onHelp }: { can: (p: Permission) => boolean; onHelp: () => void }) {
  return (
    <div className={styles.column}>
      <aside className={styles.sidebar}>
        <div className={styles.brand}>
          <Logo size={26} />
        </div>
        <nav className={styles.nav} aria-label="Main">
          {can('system:read') && (
            <NavLink to="/" icon={<IconOverview />} testId="nav-overview">
              Overview
            </NavLink>
          )}
          {can('nodes:read') && (
            <NavLink to="/nodes" icon={<IconNodes />} testId="nav-nodes" exact={false}>
              Nodes
            </NavLink>
          )}
          {can('nodes:exec') && (
            <NavLink to="/runs" icon={<IconRuns />} testId="nav-runs" exact={false}>
              Runs
            </NavLink>
          )}
          {can('audit:read') && (
            <NavLink to="/audit" icon={<IconAudit />} testId="nav-audit">
              Audit log
            </NavLink>
          )}
          {settings.some(can) && (
            <div className={styles.section}>
              <p className={styles.sectionLabel}>Settings</p>
              {can('profile:manage') && (
                <NavLink to="/settings/profile" icon={<IconUser />} testId="nav-profile">
                  Profile
                </NavLink>
              )}
              {can('users:manage') && (
                <NavLink to="/settings/users" icon={<IconUsers />} testId="nav-users">
                  Users
                </NavLink>
              )}
              {can('guests:manage') && (
                <NavLink to="/settings/guests" icon={<IconLink />} testId="nav-guests">
                  Guest links
                </NavLink>
              )}
            </div>
          )}
        </nav>
        <button type="button" className={styles.help} onClick={onHelp}>
          <span className={styles.icon}>
            <IconKeyboard />
          </span>
          Shortcuts
          <span className={styles.helpKey}>
            <Kbd>?</Kbd>
          </span>
        </button>
      </aside>
    </div>
  );
}
