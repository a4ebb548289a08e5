import { useQuery } from '@tanstack/react-query';
import { Outlet, useRouter, useRouterState } from '@tanstack/react-router';
import { motion } from 'motion/react';
import { useEffect, useRef } from 'react';
import { ErrorState, LoadingState } from '../../ui/states';
import { type Guest, type Me, type Permission, type Whoami, whoamiQuery } from '../auth/use-me';
import { EventsProvider } from '../events/events-provider';
import { HelpOverlay } from '../shortcuts/help-overlay';
import { useShortcuts } from '../shortcuts/use-shortcuts';
import styles from './app-shell.module.css';
import { EnrolGate } from './enrol-gate';
import { GuestBanner } from './guest-banner';
import { GuestEnded } from './guest-ended';
import { Sidebar } from './sidebar';
import { TopBar } from './top-bar';

/**
 * The frame of every page, for a signed-in user or a guest. A session that ends (here or
 * elsewhere) sends the tab to /login; a guest whose link ends is told so in place.
 */
export function AppShell() {
  const who = useQuery(whoamiQuery());
  const router = useRouter();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  // What this tab last was: a guest who turns anonymous lost the link, a user the session.
  const was = useRef<Whoami['kind'] | null>(null);
  const data = who.data;
  const anonymous = data?.kind === 'anonymous';
  const guestEnded = anonymous && (was.current === 'guest' || (was.current !== 'user' && data.guestEnded));
  const signedOut = anonymous && !guestEnded;
  useEffect(() => {
    if (data && data.kind !== 'anonymous') was.current = data.kind;
  }, [data]);
  useEffect(() => {
    // Once per loss of the session. (<Navigate> re-navigates on every render, and the
    // navigation itself re-renders this component: a tight loop.)
    if (!signedOut) return;
    const { pathname, href } = router.state.location;
    void router.navigate({ to: '/login', search: pathname === '/' ? {} : { redirect: href }, replace: true });
  }, [signedOut, router]);
  if (signedOut) return null;
  if (guestEnded) return <GuestEnded />;
  // Only a first load that failed fills the page; a failed re-check (core restarting) keeps
  // the shell on screen while the connection badge says "reconnecting".
  if (who.isError && !data) {
    return (
      <div className={styles.fullPage}>
        <ErrorState
          error={who.error}
          title="Cannot reach serverbox"
          onRetry={() => void who.refetch()}
          retrying={who.isFetching}
        />
      </div>
    );
  }
  // An API token never drives the browser shell; treat it like nobody.
  if (!data || data.kind === 'anonymous' || data.kind === 'token') {
    return (
      <div className={styles.fullPage}>
        <LoadingState />
      </div>
    );
  }
  return <Shell who={data} pathname={pathname} />;
}

function Shell({ who, pathname }: { who: Me | Guest; pathname: string }) {
  const can = (p: Permission) => who.permissions.includes(p);
  const { helpOpen, setHelpOpen } = useShortcuts(can);
  const guest = who.kind === 'guest' ? who : null;
  // The core answers 403 to everything but the profile until this user enrols in 2FA.
  const mustEnrol = who.kind === 'user' && who.mustEnrol2fa;
  const gated = mustEnrol && pathname !== '/settings/profile';
  return (
    <EventsProvider enabled={can('events:read') && !mustEnrol} userId={who.kind === 'user' ? who.user.id : null}>
      <div className={guest ? `${styles.frame} ${styles.withBanner}` : styles.frame}>
        {guest && <GuestBanner guest={guest} />}
        <div className={styles.shell}>
          <Sidebar can={can} onHelp={() => setHelpOpen(true)} />
          <div className={styles.main}>
            <TopBar who={who} />
            <main className={styles.content}>
              <motion.div
                key={pathname}
                initial={{ opacity: 0, y: 8 }}
                animate={{ opacity: 1, y: 0 }}
                transition={{ duration: 0.24, ease: [0.2, 0, 0, 1] }}
              >
                {gated ? <EnrolGate /> : <Outlet />}
              </motion.div>
            </main>
          </div>
        </div>
      </div>
      <HelpOverlay open={helpOpen} onClose={() => setHelpOpen(false)} can={can} />
    </EventsProvider>
  );
}
