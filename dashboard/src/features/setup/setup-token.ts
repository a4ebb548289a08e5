// The setup link carries its one-time token in the fragment (#token=…), which browsers never
// send to a server. We take it once at boot, before the router reads the URL, and remove it
// from the address bar so it does not linger in history, screenshots or shared screens.

let token: string | null = null;

export function captureSetupToken(loc: Location = window.location) {
  if (loc.pathname !== '/setup' || !loc.hash) return;
  const value = new URLSearchParams(loc.hash.slice(1)).get('token');
  history.replaceState(history.state, '', `${loc.pathname}${loc.search}`);
  if (value) token = value;
}

export const setupToken = () => token;

export function forgetSetupToken() {
  token = null;
}
