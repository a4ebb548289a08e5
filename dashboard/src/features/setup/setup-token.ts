import { useSyncExternalStore } from 'react';

// The setup link carries its one-time token in the fragment (#token=…), which browsers never
// send to a server. We take it at boot, before the router reads the URL (and again if a link
// is pasted into a tab already on /setup), and remove it from the address bar so it does not
// linger in history, screenshots or shared screens.

let token: string | null = null;
const listeners = new Set<() => void>();

export function captureSetupToken(loc: Location = window.location) {
  if (loc.pathname !== '/setup' || !loc.hash) return;
  const value = new URLSearchParams(loc.hash.slice(1)).get('token');
  history.replaceState(history.state, '', `${loc.pathname}${loc.search}`);
  if (!value) return;
  token = value;
  for (const notify of listeners) notify();
}

function subscribe(notify: () => void) {
  const onHashChange = () => captureSetupToken();
  listeners.add(notify);
  window.addEventListener('hashchange', onHashChange);
  return () => {
    listeners.delete(notify);
    window.removeEventListener('hashchange', onHashChange);
  };
}

export const useSetupToken = () => useSyncExternalStore(subscribe, () => token);

export function forgetSetupToken() {
  token = null;
}
