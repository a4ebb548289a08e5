import { release } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SshdNode, startSshd } from '../../core/test/helpers/sshd.mjs';
import { launchChromium, screenshot, screenshotDir } from './helpers/browser';
import { type RunningCore, startCore } from './helpers/core';
import { freshStores, type Stores } from './helpers/stores';

// A node's life as an admin lives it, against a REAL OpenSSH sshd on this machine: add it
// with a generated key, install the key the page shows, confirm the host key the node
// presented, watch its facts arrive live; then the host key changes (quarantine), the admin
// reviews and accepts it; a guest link scoped to that node shows it read-only.

const admin = { email: 'admin@example.com', name: 'Ada Lovelace', password: 'correct horse battery staple' };
const viewport = { width: 1360, height: 900 };

let stores: Stores | undefined;
let core: RunningCore | undefined;
let browser: Browser | undefined;
let sshd: SshdNode | undefined;
let page: Page;
let guestPage: Page;
let nodeUrl = '';
let firstFingerprint = '';

const openDialog = (p: Page, testId: string) => p.locator(`[data-testid="${testId}"][open]`);
const nodeRow = (p: Page, name: string) => p.locator(`[data-testid="node-row"][data-name="${name}"]`);
const text = async (p: Page, testId: string) => ((await p.getByTestId(testId).first().textContent()) ?? '').trim();

/** Makes the core believe every session proved its password long ago (sensitive actions ask again). */
async function ageReauthentication() {
  const sql = postgres(stores!.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`update sessions set reauthenticated_at = now() - interval '10 minutes'`;
  } finally {
    await sql.end();
  }
}

/** A marker on the window: if it is still there later, the page never reloaded. */
const markPage = (p: Page) => p.evaluate(() => Object.assign(window, { __sbNoReload: true }));
const stillSamePage = (p: Page) => p.evaluate(() => (window as { __sbNoReload?: boolean }).__sbNoReload === true);

beforeAll(async () => {
  stores = await freshStores();
  // Health checks only when asked (the test decides when the node is contacted), and no
  // per-process session cache (a session edited in the database counts at once).
  core = await startCore(stores, { env: { SERVERBOX_NODE_HEALTH_SECONDS: '3600', SERVERBOX_SESSION_CACHE_MS: '0' } });
  sshd = await startSshd({ name: 'e2e', user: 'sbx-sudo' });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport })).newPage();
  console.log(`e2e: core at ${core.url}; sshd at ${sshd.host}:${sshd.port}; screenshots in ${screenshotDir}`);
});

afterAll(async () => {
  await browser?.close();
  await core?.stop();
  await sshd?.close();
  await stores?.drop();
});

describe('nodes against a real core and a real sshd', () => {
  it('shows an empty node list that leads the admin to "Add node"', async () => {
    await page.goto(core!.setupUrl);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Name').fill(admin.name);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByLabel('Repeat password').fill(admin.password);
    await page.getByRole('button', { name: 'Create admin and sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();

    await page.getByTestId('nav-nodes').click();
    await page.waitForURL((u) => u.pathname === '/nodes');
    const empty = page.getByTestId('nodes-table').getByTestId('empty-state');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('No nodes yet');
    await screenshot(page, '40-nodes-empty');
    await page.getByTestId('empty-add-node').click();
    await page.waitForURL((u) => u.pathname === '/nodes/add');
  });

  it('adds the node with a generated key and shows the key and its install command', async () => {
    const form = page.getByTestId('add-node-form');
    await form.getByTestId('node-name').fill('e2e-node');
    await form.getByTestId('node-host').fill(sshd!.host);
    await form.getByTestId('node-port').fill(String(sshd!.port));
    await form.getByTestId('node-user').fill('sbx-sudo');
    await form.getByTestId('node-labels').fill('e2e, lab');
    expect(await form.getByTestId('credential-generate').isChecked()).toBe(true);
    await screenshot(page, '41-add-node-details');

    // The core's own words land under the field they are about.
    await form.getByTestId('node-host').fill('not a host!');
    await form.getByTestId('add-node-submit').click();
    await form.getByText('Host: an IP address or a hostname.').waitFor();
    await form.getByTestId('node-host').fill(sshd!.host);

    await form.getByTestId('add-node-submit').click();
    const install = page.getByTestId('install-step');
    await install.waitFor();
    expect(await page.getByTestId('add-node-steps').getAttribute('data-step')).toBe('install');
    const publicKey = await text(page, 'public-key');
    expect(publicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+ serverbox@e2e-node$/);
    expect(await text(page, 'install-command')).toContain(publicKey);
    expect(await install.textContent()).toContain('sbx-sudo');
    await screenshot(page, '42-add-node-install-key');

    // What a person does on the node: run the command, i.e. append the key for that user.
    await sshd!.authorize(publicKey);
  });

  it('connects, shows the offered host key to confirm, and then the first facts arrive live', async () => {
    await markPage(page);
    await page.getByTestId('connect-node').click();
    const review = page.getByTestId('host-key-review');
    await review.waitFor({ timeout: 20_000 });
    firstFingerprint = sshd!.hostKeyFingerprint;
    expect(await text(page, 'offered-fingerprint')).toBe(firstFingerprint);
    expect(await text(page, 'offered-key-type')).toBe('ssh-ed25519');
    expect(await review.textContent()).toContain('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
    await screenshot(page, '43-add-node-host-key');

    await page.getByTestId('trust-host-key').click();
    const done = page.getByTestId('done-step');
    await done.waitFor({ timeout: 20_000 });
    await done.locator('[data-testid="node-status"][data-status="online"]').waitFor({ timeout: 20_000 });
    await expect.poll(() => text(page, 'fact-kernel'), { timeout: 15_000 }).toBe(release());
    expect(await text(page, 'cap-sudo')).toContain('Passwordless sudo');
    expect(await text(page, 'cap-tmux')).not.toBe('not installed');
    expect(await stillSamePage(page)).toBe(true);
    await screenshot(page, '44-add-node-connected');
  });

  it('opens the node page with facts, capabilities, the pinned key and the pool', async () => {
    await page.getByTestId('open-node').click();
    await page.waitForURL((u) => /^\/nodes\/[0-9a-f-]{36}$/.test(u.pathname));
    nodeUrl = page.url();
    const node = page.getByTestId('node-page');
    await node.waitFor();
    expect(await node.getAttribute('data-status')).toBe('online');
    expect(await text(page, 'fact-kernel')).toBe(release());
    expect(await text(page, 'node-pinned-fingerprint')).toBe(firstFingerprint);
    await page.getByTestId('node-pool').getByTestId('pool-connections').waitFor();
    for (const action of ['refresh-node', 'edit-node', 'remove-node', 'show-install-command']) {
      expect(await page.getByTestId(action).isVisible(), action).toBe(true);
    }
    await screenshot(page, '45-node-page');
  });

  it('adds a second node with a known fingerprint, skipping the confirmation, and filters the list', async () => {
    await page.goto(`${core!.url}/nodes/add`);
    const form = page.getByTestId('add-node-form');
    await form.getByTestId('node-name').fill('db-1');
    await form.getByTestId('node-host').fill('127.0.0.1');
    await form.getByTestId('node-port').fill('1'); // nothing listens: it stays unreachable
    await form.getByTestId('node-labels').fill('db');
    await form.getByTestId('credential-fleet').check();
    await form.getByTestId('node-fingerprint').fill(`SHA256:${'A'.repeat(43)}`);
    await form.getByTestId('add-node-submit').click();
    await page.getByTestId('install-step').waitFor();
    const skipped = page.getByTestId('add-node-steps').locator('[data-state="skipped"]');
    expect(await skipped.textContent()).toContain('Confirm the host key');

    await page.getByTestId('nav-nodes').click();
    await nodeRow(page, 'db-1').waitFor();
    expect(await nodeRow(page, 'e2e-node').getAttribute('data-status')).toBe('online');
    expect(await nodeRow(page, 'e2e-node').textContent()).toContain(`sbx-sudo@${sshd!.host}:${sshd!.port}`);
    expect(await text(page, 'nodes-count')).toBe('1–2 of 2');
    await screenshot(page, '46-nodes-list');

    await page.getByTestId('nodes-filter-status').selectOption('online');
    await expect.poll(() => page.getByTestId('node-row').count()).toBe(1);
    expect(await page.getByTestId('node-row').getAttribute('data-name')).toBe('e2e-node');
    await page.getByTestId('nodes-filter-status').selectOption('');
    await page.getByTestId('nodes-filter-label').selectOption('db');
    await expect.poll(() => page.getByTestId('node-row').count()).toBe(1);
    expect(await page.getByTestId('node-row').getAttribute('data-name')).toBe('db-1');
    await page.getByTestId('nodes-filter-label').selectOption('');
    await page.keyboard.press('/'); // focuses the search
    await page.keyboard.type('e2e');
    await expect.poll(() => page.getByTestId('node-row').count()).toBe(1);
    expect(await page.getByTestId('node-row').getAttribute('data-name')).toBe('e2e-node');
    expect(new URL(page.url()).searchParams.get('search')).toBe('e2e');
  });

  it('quarantines the node when its host key changes, showing old and new fingerprints live', async () => {
    await page.goto(nodeUrl);
    await page.locator('[data-testid="node-page"][data-status="online"]').waitFor();
    await markPage(page);
    await sshd!.swapHostKey();
    expect(sshd!.hostKeyFingerprint).not.toBe(firstFingerprint);

    await page.getByTestId('refresh-node').click();
    await page.getByText('e2e-node did not answer').waitFor({ timeout: 20_000 });
    const alert = page.getByTestId('quarantine-alert');
    await alert.waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="node-page"][data-status="quarantined"]').waitFor();
    await expect.poll(() => alert.getByTestId('offered-fingerprint').textContent()).toBe(sshd!.hostKeyFingerprint);
    expect(await alert.getByTestId('pinned-fingerprint').textContent()).toBe(firstFingerprint);
    expect(await alert.textContent()).toContain('man-in-the-middle');
    expect(await page.getByTestId('refresh-node').isDisabled()).toBe(true);
    expect(await stillSamePage(page)).toBe(true);
    await screenshot(page, '47-node-quarantined');
  });

  it('accepts the new key after a warning and a password check; the node is online again', async () => {
    await ageReauthentication();
    await page.getByTestId('accept-new-key').click();
    const dialog = openDialog(page, 'accept-key-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(sshd!.hostKeyFingerprint);
    expect(await dialog.textContent()).toContain('impersonating');
    await dialog.getByTestId('confirm-button').click();
    const prompt = dialog.getByTestId('reauth-prompt');
    await prompt.waitFor();
    await screenshot(page, '48-accept-new-key', { fullPage: false });
    await prompt.getByLabel('Your password').fill(admin.password);
    await prompt.getByTestId('reauth-confirm').click(); // confirms, then the key is accepted
    await dialog.waitFor({ state: 'hidden', timeout: 20_000 });
    await page.locator('[data-testid="node-page"][data-status="online"]').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('quarantine-alert').count()).toBe(0);
    expect(await text(page, 'node-pinned-fingerprint')).toBe(sshd!.hostKeyFingerprint);
  });

  it('shows the node read-only to a guest link scoped to it', async () => {
    await page.getByTestId('nav-guests').click();
    await page.getByTestId('create-guest-link').click();
    const dialog = openDialog(page, 'guest-link-dialog');
    await dialog.getByLabel('Label').fill('Node auditor');
    await dialog.getByTestId('scope-audit:read').uncheck();
    await dialog.getByTestId('scope-nodes:read').check();
    await dialog.getByTestId('guest-link-nodes').selectOption({ label: 'Only e2e-node' });
    await dialog.getByTestId('guest-link-submit').click();
    const url = dialog.getByTestId('guest-link-url');
    await url.waitFor();
    const guestUrl = ((await url.textContent()) ?? '').trim();
    await dialog.getByTestId('guest-link-done').click();

    guestPage = await (await browser!.newContext({ viewport })).newPage();
    await guestPage.goto(guestUrl);
    await guestPage.waitForURL((u) => u.pathname === '/nodes');
    await nodeRow(guestPage, 'e2e-node').waitFor();
    expect(await guestPage.getByTestId('node-row').count()).toBe(1); // db-1 is out of scope
    expect(await guestPage.getByTestId('add-node').count()).toBe(0);
    await guestPage.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
    await screenshot(guestPage, '49-guest-nodes');

    await nodeRow(guestPage, 'e2e-node').getByTestId('node-link').click();
    await guestPage.locator('[data-testid="node-page"][data-status="online"]').waitFor();
    expect(await text(guestPage, 'fact-kernel')).toBe(release());
    for (const absent of ['refresh-node', 'edit-node', 'remove-node', 'show-install-command', 'accept-new-key']) {
      expect(await guestPage.getByTestId(absent).count(), absent).toBe(0);
    }
    await screenshot(guestPage, '49-guest-node-page');
  });

  it("edits the node's labels (the guest's page follows live) and removes the other node by typing its name", async () => {
    await page.goto(nodeUrl);
    await page.getByTestId('edit-node').click();
    const edit = openDialog(page, 'edit-node-dialog');
    expect(await edit.getByTestId('node-name').inputValue()).toBe('e2e-node');
    await edit.getByTestId('node-labels').fill('e2e lab web');
    await edit.getByTestId('edit-node-submit').click();
    await edit.waitFor({ state: 'hidden' });
    await expect
      .poll(() => guestPage.getByTestId('node-connection').textContent(), { timeout: 10_000 })
      .toContain('web');

    await page.getByTestId('nav-nodes').click();
    await nodeRow(page, 'db-1').getByTestId('node-link').click();
    await page.getByTestId('remove-node').click();
    const remove = openDialog(page, 'remove-node-dialog');
    expect(await remove.getByTestId('confirm-button').isDisabled()).toBe(true);
    await remove.getByTestId('remove-confirm-name').fill('db-');
    expect(await remove.getByTestId('confirm-button').isDisabled()).toBe(true);
    await remove.getByTestId('remove-confirm-name').fill('db-1');
    await screenshot(page, '50-remove-node', { fullPage: false });
    await remove.getByTestId('confirm-button').click();
    await page.waitForURL((u) => u.pathname === '/nodes');
    await nodeRow(page, 'e2e-node').waitFor();
    await expect.poll(() => page.getByTestId('node-row').count()).toBe(1);
  });
});
