import { useQuery } from '@tanstack/react-query';
import { Outlet, useRouter, useRouterState } from '@tanstack/react-router';
import { motion } from 'motion/react';
import { useEffect } from 'react';
import { isUnauthorized } from '../../lib/errors';
import { ErrorState, LoadingState } from '../../ui/states';
import { type Me, meQuery, type Permission } from '../auth/use-me';
import { EventsProvider } from '../events/events-provider';
import { HelpOverlay } from '../shortcuts/help-overlay';
import { useShortcuts } from '../shortcuts/use-shortcuts';
import styles from './app-shell.module.css';
import { Sidebar } from './sidebar';
import { TopBar } from './top-bar';

/** The authenticated frame. A session that ends (here or elsewhere) sends the tab to /login. */
export function AppShell() {
  const me = useQuery(meQuery());
  const router = useRouter();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const signedOut = me.isError && isUnauthorized(me.error);
  useEffect(() => {
    // Once per loss of the session. (<Navigate> re-navigates on every render, and the
    // navigation itself re-renders this component: a tight loop.)
    if (!signedOut) return;
    const { pathname, href } = router.state.location;
    void router.navigate({ to: '/login', search: pathname === '/' ? {} : { redirect: href }, replace: true });
  }, [signedOut, router]);
  if (signedOut) return null;
  // Only a first load that failed fills the page; a failed re-check (core restarting) keeps
  // the shell on screen while the connection badge says "reconnecting".
  if (me.isError && !me.data) {
    return (
      <div className={styles.fullPage}>
        <ErrorState
          error={me.error}
          title="Cannot reach serverbox"
          onRetry={() => void me.refetch()}
          retrying={me.isFetching}
        />
      </div>
    );
  }
  if (!me.data) {
    return (
      <div className={styles.fullPage}>
        <LoadingState />
      </div>
    );
  }
  return <SignedInShell me={me.data} pathname={pathname} />;
}

function SignedInShell({ me, pathname }: { me: Me; pathname: string }) {
  const can = (p: Permission) => me.permissions.includes(p);
  const { helpOpen, setHelpOpen } = useShortcuts(can);
  return (
    <EventsProvider enabled={can('events:read')} userId={me.user.id}>
      <div className={styles.shell}>
        <Sidebar can={can} onHelp={() => setHelpOpen(true)} />
        <div className={styles.main}>
          <TopBar me={me} />
          <main className={styles.content}>
            <motion.div
              key={pathname}
              initial={{ opacity: 0, y: 8 }}
              animate={{ opacity: 1, y: 0 }}
              transition={{ duration: 0.24, ease: [0.2, 0, 0, 1] }}
            >
              <Outlet />
            </motion.div>
          </main>
        </div>
      </div>
      <HelpOverlay open={helpOpen} onClose={() => setHelpOpen(false)} can={can} />
    </EventsProvider>
  );
}
