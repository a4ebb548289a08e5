import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, screenshotDir } from './helpers/browser';
import { type RunningCore, startCore } from './helpers/core';
import { freshStores, type Stores } from './helpers/stores';

// One story, as an operator lives it: first-run setup, sign out and in, a second browser
// signing in while the first watches its Activity feed live, sessions, sign out.

const admin = { email: 'admin@example.com', name: 'Ada Lovelace', password: 'correct horse battery staple' };
const viewport = { width: 1360, height: 860 };

let stores: Stores | undefined;
let core: RunningCore | undefined;
let browser: Browser | undefined;
let first: Page;
let second: Page;
let secondContext: BrowserContext;
/** Event-stream requests the first tab opened since its last sign-in. */
const streams: string[] = [];

const path = (page: Page) => new URL(page.url()).pathname;
const signIns = (page: Page) => page.locator('[data-testid="activity-row"][data-topic="auth.signedIn"]');

async function signIn(page: Page, password = admin.password) {
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

beforeAll(async () => {
  stores = await freshStores();
  core = await startCore(stores);
  browser = await launchChromium();
  first = await (await browser.newContext({ viewport })).newPage();
  first.on('request', (r) => {
    if (r.url().includes('/trpc/events.onEvent')) streams.push(r.url());
  });
  console.log(`e2e: core at ${core.url}; screenshots in ${screenshotDir}`);
});

afterAll(async () => {
  await browser?.close();
  await core?.stop();
  await stores?.drop();
  console.log(`e2e: screenshots in ${screenshotDir}`);
});

describe('dashboard against a real core', () => {
  it('explains the first run on /login and refuses a setup link with a wrong token', async () => {
    await first.goto(`${core!.url}/login`);
    const notice = first.getByTestId('needs-setup');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('npm run serverbox -- admin create');
    await screenshot(first, '00-login-first-run');

    await first.goto(`${core!.url}/setup#token=${'x'.repeat(43)}`);
    await first.getByLabel('Email').fill(admin.email);
    await first.getByLabel('Name').fill(admin.name);
    await first.getByLabel('Password', { exact: true }).fill(admin.password);
    await first.getByLabel('Repeat password').fill(admin.password);
    await first.getByRole('button', { name: 'Create admin and sign in' }).click();
    const refused = first.getByTestId('setup-forbidden');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('invalid, expired or already used');
    await screenshot(first, '00-setup-wrong-token');
    await first.goto('about:blank'); // the real link below must load the app afresh
  });

  it('creates the first admin from the setup link and lands on a healthy Overview', async () => {
    await first.goto(core!.setupUrl);
    await first.getByTestId('setup-form').waitFor();
    // The one-time token leaves the address bar at once.
    expect(new URL(first.url()).hash).toBe('');
    await first.getByLabel('Email').fill(admin.email);
    await first.getByLabel('Name').fill(admin.name);
    await first.getByLabel('Password', { exact: true }).fill(admin.password);
    await first.getByLabel('Repeat password').fill(admin.password);
    await screenshot(first, '01-setup');
    await first.getByRole('button', { name: 'Create admin and sign in' }).click();

    await first.waitForURL((u) => u.pathname === '/');
    await first.locator('[data-testid="health-database"][data-ok="true"]').waitFor();
    await first.locator('[data-testid="health-redis"][data-ok="true"]').waitFor();
    expect(await first.getByTestId('health-status').textContent()).toBe('Operational');
    expect(await first.getByTestId('current-user').textContent()).toContain(admin.name);
    await first.locator('[data-testid="activity-row"][data-topic="users.created"]').waitFor();
    await first.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
    await screenshot(first, '02-overview');
  });

  it('signs out, refuses a wrong password with the server message, then signs in', async () => {
    await first.getByTestId('sign-out').click();
    await first.waitForURL((u) => u.pathname === '/login');

    await signIn(first, 'not the password');
    const error = first.getByTestId('login-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('Email or password is incorrect.');
    await screenshot(first, '03-login-wrong-password');

    streams.length = 0;
    await signIn(first);
    await first.waitForURL((u) => u.pathname === '/');
    await first.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
  });

  it('shows a sign-in from a second browser in the first tab live, over one subscription', async () => {
    await first.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    // Wait until the first sign-in's live row is there, then count.
    await signIns(first).first().waitFor();
    const before = await signIns(first).count();

    secondContext = await browser!.newContext({ viewport });
    second = await secondContext.newPage();
    await second.goto(`${core!.url}/login`);
    await signIn(second);
    await second.waitForURL((u) => u.pathname === '/');

    await expect.poll(() => signIns(first).count(), { timeout: 8000 }).toBe(before + 1);
    const newest = await signIns(first).first().textContent();
    expect(newest).toContain(`${admin.name} signed in from 127.0.0.1`);
    expect(await first.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(streams).toHaveLength(1); // one subscription per tab, and it never had to reconnect
    await screenshot(first, '04-live-activity');
  });

  it('lists both sessions on Settings › Profile (reached with the g p shortcut)', async () => {
    await first.keyboard.press('g');
    await first.keyboard.press('p');
    await first.waitForURL((u) => u.pathname === '/settings/profile');
    await expect.poll(() => first.getByTestId('session-row').count(), { timeout: 8000 }).toBe(2);
    expect(await first.locator('[data-testid="session-row"][data-current="true"]').count()).toBe(1);
    await screenshot(first, '05-profile');

    await first.keyboard.press('?');
    const help = first.getByTestId('shortcuts-help');
    await help.getByText('Go to Overview').waitFor();
    await screenshot(first, '06-shortcuts-help');
    await first.keyboard.press('Escape');
    await help.getByText('Go to Overview').waitFor({ state: 'hidden' });
  });

  it('signs the other browser out from Profile, after a confirmation naming the account', async () => {
    await first.getByTestId('logout-others').click();
    const dialog = first.locator('[data-testid="confirm-dialog"][open]');
    expect(await dialog.textContent()).toContain(admin.email);
    await screenshot(first, '07-confirm-sign-out-others');
    await dialog.getByTestId('confirm-button').click();
    await expect.poll(() => first.getByTestId('session-row').count(), { timeout: 8000 }).toBe(1);
    // The second browser's stream ends with its session: it leaves for /login without a reload.
    await second.waitForURL((u) => u.pathname === '/login', { timeout: 10_000 });
  });

  it('keeps the page through a core restart and resumes the live feed', async () => {
    await first.goto(`${core!.url}/`);
    const status = first.getByTestId('connection-status');
    await first.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
    const before = await signIns(first).count();
    await first.evaluate(() => {
      // Record every state the connection badge shows while the core is away.
      const seen: string[] = [];
      (window as unknown as { statuses: string[] }).statuses = seen;
      const badge = document.querySelector('[data-testid="connection-status"]');
      new MutationObserver(() => seen.push(badge?.getAttribute('data-status') ?? '')).observe(badge as Node, {
        attributes: true,
      });
    });

    await core!.restart();
    await first.locator('[data-testid="connection-status"][data-status="live"]').waitFor({ timeout: 30_000 });
    expect(await first.getByTestId('current-user').isVisible()).toBe(true); // never fell out of the shell
    expect(await status.getAttribute('data-status')).toBe('live');
    expect(await first.evaluate(() => (window as unknown as { statuses: string[] }).statuses)).toContain(
      'reconnecting',
    );

    await signIn(second);
    await second.waitForURL((u) => u.pathname === '/');
    await expect.poll(() => signIns(first).count(), { timeout: 8000 }).toBe(before + 1);
    await secondContext.close();
  });

  it('signs out in the first tab', async () => {
    await first.getByTestId('sign-out').click();
    await first.waitForURL((u) => u.pathname === '/login');
    expect(path(first)).toBe('/login');
    await first.goto(`${core!.url}/settings/profile`);
    await first.waitForURL((u) => u.pathname === '/login');
    expect(new URL(first.url()).searchParams.get('redirect')).toBe('/settings/profile');

    // The setup link is spent: it now says an admin exists and points to sign-in.
    await first.goto(core!.setupUrl);
    await first.getByTestId('setup-done').waitFor();
  });
});
