import { useSyncExternalStore } from 'react';

// One-time links (setup, invitations) carry their token in the fragment (#token=…), which
// browsers never send to a server. Each page's token is taken at boot, before the router
// reads the URL (and again if a link is pasted into a tab already on that page), and
// removed from the address bar so it does not linger in history, screenshots or shared screens.

export interface HashToken {
  /** Takes the token out of the address bar, if this is the page and it carries one. */
  capture(loc?: Location): void;
  /** The captured token, re-rendering when a new one arrives. */
  useToken(): string | null;
  forget(): void;
}

export function hashToken(pathname: string): HashToken {
  let token: string | null = null;
  const listeners = new Set<() => void>();

  function capture(loc: Location = window.location) {
    if (loc.pathname !== pathname || !loc.hash) return;
    const value = new URLSearchParams(loc.hash.slice(1)).get('token');
    history.replaceState(history.state, '', `${loc.pathname}${loc.search}`);
    if (!value) return;
    token = value;
    for (const notify of listeners) notify();
  }

  function subscribe(notify: () => void) {
    const onHashChange = () => capture();
    listeners.add(notify);
    window.addEventListener('hashchange', onHashChange);
    return () => {
      listeners.delete(notify);
      window.removeEventListener('hashchange', onHashChange);
    };
  }

  return {
    capture,
    useToken: () => useSyncExternalStore(subscribe, () => token),
    forget: () => {
      token = null;
    },
  };
}
