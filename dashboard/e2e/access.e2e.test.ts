import type { Browser, Page } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './helpers/browser';
import { type RunningCore, startCore } from './helpers/core';
import { freshStores, type Stores } from './helpers/stores';

// Access as three people live it, each in their own browser: an admin invites an operator,
// demotes them (their tab is signed out), hands an auditor a guest link, watches it being
// used, revokes it (the guest's tab says so), and finds the guest's requests in the audit log.

const admin = { email: 'admin@example.com', name: 'Ada Lovelace', password: 'correct horse battery staple' };
const operator = { email: 'bob@example.com', name: 'Bob Marley', password: 'three little birds on my doorstep' };
const guestLabel = 'Q4 SOC2 auditor';
const viewport = { width: 1360, height: 860 };

let stores: Stores | undefined;
let core: RunningCore | undefined;
let browser: Browser | undefined;
let adminPage: Page;
let operatorPage: Page;
let guestPage: Page;
let inviteUrl = '';
let guestUrl = '';

const userRow = (email: string) => adminPage.locator(`[data-testid="user-row"][data-email="${email}"]`);
const linkRow = () => adminPage.locator(`[data-testid="guest-link-row"][data-label="${guestLabel}"]`);
const openDialog = (p: Page, testId: string) => p.locator(`[data-testid="${testId}"][open]`);

/** Makes the core believe every session proved its password long ago (sensitive actions ask again). */
async function ageReauthentication() {
  const sql = postgres(stores!.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`update sessions set reauthenticated_at = now() - interval '10 minutes'`;
  } finally {
    await sql.end();
  }
}

async function go(p: Page, keys: string, path: string) {
  await p.keyboard.press(keys[0]!);
  await p.keyboard.press(keys[1]!);
  await p.waitForURL((u) => u.pathname === path);
}

beforeAll(async () => {
  stores = await freshStores();
  // No per-process session cache: a session edited in the database counts at once.
  core = await startCore(stores, { env: { SERVERBOX_SESSION_CACHE_MS: '0' } });
  browser = await launchChromium();
  adminPage = await (await browser.newContext({ viewport })).newPage();
});

afterAll(async () => {
  await browser?.close();
  await core?.stop();
  await stores?.drop();
});

describe('users, invitations and guest links against a real core', () => {
  it('lets the admin invite an operator, showing the link once', async () => {
    await adminPage.goto(core!.setupUrl);
    await adminPage.getByLabel('Email').fill(admin.email);
    await adminPage.getByLabel('Name').fill(admin.name);
    await adminPage.getByLabel('Password', { exact: true }).fill(admin.password);
    await adminPage.getByLabel('Repeat password').fill(admin.password);
    await adminPage.getByRole('button', { name: 'Create admin and sign in' }).click();
    await adminPage.waitForURL((u) => u.pathname === '/');
    await adminPage.locator('[data-testid="connection-status"][data-status="live"]').waitFor();

    await go(adminPage, 'gu', '/settings/users');
    await userRow(admin.email).waitFor();
    expect(await adminPage.getByTestId('invites-card').getByTestId('empty-state').isVisible()).toBe(true);

    await adminPage.getByTestId('invite-user').click();
    const dialog = openDialog(adminPage, 'invite-dialog');
    await dialog.getByLabel('Email').fill(operator.email);
    await dialog.getByTestId('invite-role').selectOption('operator');
    await dialog.getByTestId('invite-submit').click();
    inviteUrl = (await dialog.getByTestId('invite-link').textContent()) ?? '';
    expect(inviteUrl).toMatch(new RegExp(`^${core!.url}/invite#token=[\\w-]{43}$`));
    expect(await dialog.getByTestId('shown-once').textContent()).toContain('will not be shown again');
    expect(await dialog.textContent()).toContain(operator.email);
    await screenshot(adminPage, '20-invite-link', { fullPage: false });

    await dialog.getByTestId('invite-done').click();
    await dialog.waitFor({ state: 'hidden' });
    const token = inviteUrl.split('#token=')[1]!;
    expect(await adminPage.content()).not.toContain(token); // gone for good once the dialog closes
    await adminPage.locator(`[data-testid="invite-row"][data-email="${operator.email}"]`).waitFor();
  });

  it('signs the invited operator in on Overview, without the admin pages', async () => {
    operatorPage = await (await browser!.newContext({ viewport })).newPage();
    await operatorPage.goto(inviteUrl);
    await operatorPage.getByTestId('invite-form').waitFor();
    expect(new URL(operatorPage.url()).hash).toBe(''); // the token left the address bar at once
    await operatorPage.getByLabel('Name').fill(operator.name);
    await operatorPage.getByLabel('Password', { exact: true }).fill(operator.password);
    await operatorPage.getByLabel('Repeat password').fill(operator.password);
    await screenshot(operatorPage, '21-invite-accept');
    await operatorPage.getByRole('button', { name: 'Create account and sign in' }).click();
    await operatorPage.waitForURL((u) => u.pathname === '/');
    await operatorPage.getByTestId('health-card').waitFor();
    expect(await operatorPage.getByTestId('current-user').textContent()).toContain(operator.name);
    expect(await operatorPage.getByTestId('nav-profile').isVisible()).toBe(true);
    expect(await operatorPage.getByTestId('nav-users').count()).toBe(0);
    expect(await operatorPage.getByTestId('nav-guests').count()).toBe(0);
    await operatorPage.locator('[data-testid="connection-status"][data-status="live"]').waitFor();

    // The admin's page follows along: the invitation is used, the new account is listed.
    await userRow(operator.email).waitFor({ timeout: 8000 });
    expect(await userRow(operator.email).getAttribute('data-role')).toBe('operator');
    await adminPage.getByTestId('invites-card').getByTestId('empty-state').waitFor({ timeout: 8000 });
    await expect.poll(() => userRow(operator.email).getByTestId('user-sessions').textContent()).toBe('1');
    await screenshot(adminPage, '22-users');
  });

  it("shows the server's refusal when the admin tries to disable their own account", async () => {
    await userRow(admin.email).getByTestId('user-toggle').click();
    const confirm = openDialog(adminPage, 'confirm-dialog');
    expect(await confirm.textContent()).toContain(admin.email);
    await confirm.getByTestId('confirm-button').click();
    await confirm.getByText('You cannot disable your own account.').waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect(await userRow(admin.email).getAttribute('data-status')).toBe('active');
  });

  it("demotes the operator to viewer after a password check, which ends the operator's sessions", async () => {
    // As far as the core knows the admin signed in long ago: a role change needs the password again.
    await ageReauthentication();

    await userRow(operator.email).getByTestId('user-role').click();
    const dialog = openDialog(adminPage, 'role-dialog');
    await dialog.getByTestId('role-select').selectOption('viewer');
    expect(await dialog.textContent()).toContain(`${operator.name} (${operator.email}) will be signed out everywhere`);
    await screenshot(adminPage, '23-change-role', { fullPage: false });
    await dialog.getByTestId('confirm-button').click();
    const prompt = dialog.getByTestId('reauth-prompt');
    await prompt.waitFor();
    await prompt.getByLabel('Your password').fill('not my password');
    await prompt.getByTestId('reauth-confirm').click();
    await prompt.getByText('Password is incorrect.').waitFor();
    expect(await userRow(operator.email).getAttribute('data-role')).toBe('operator');
    await screenshot(adminPage, '23-change-role-reauth', { fullPage: false });
    await prompt.getByLabel('Your password').fill(admin.password);
    await prompt.getByTestId('reauth-confirm').click(); // confirms, then the change goes through
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => userRow(operator.email).getAttribute('data-role'), { timeout: 8000 }).toBe('viewer');

    // The operator's stream ended with the session: their tab leaves for /login by itself.
    await operatorPage.waitForURL((u) => u.pathname === '/login', { timeout: 10_000 });

    // The invitation is spent: opening it again says so plainly.
    await operatorPage.goto(inviteUrl);
    await operatorPage.getByLabel('Name').fill('Somebody Else');
    await operatorPage.getByLabel('Password', { exact: true }).fill(operator.password);
    await operatorPage.getByLabel('Repeat password').fill(operator.password);
    await operatorPage.getByRole('button', { name: 'Create account and sign in' }).click();
    const refused = operatorPage.getByTestId('invite-refused');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('This invitation is invalid, expired, revoked or already used.');

    await go(adminPage, 'go', '/');
    const change = adminPage.locator('[data-testid="activity-row"][data-topic="users.changed"]').first();
    expect(await change.textContent()).toContain(`${admin.name} changed ${operator.name}’s role to viewer`);
    const joined = adminPage.locator('[data-testid="activity-row"][data-topic="users.created"]').first();
    expect(await joined.textContent()).toContain('accepted an invitation and joined as operator');
    await screenshot(adminPage, '23-activity-user-changes');
  });

  it('creates a guest link for the audit log, valid for an hour, shown once', async () => {
    await go(adminPage, 'gl', '/settings/guests');
    await adminPage.getByTestId('guest-links-table').getByTestId('empty-state').waitFor();
    await adminPage.getByTestId('create-guest-link').click();
    const dialog = openDialog(adminPage, 'guest-link-dialog');
    await dialog.getByLabel('Label').fill(guestLabel);
    expect(await dialog.getByTestId('scope-audit:read').isChecked()).toBe(true);
    expect(await dialog.getByText('Verify the audit chain').isVisible()).toBe(true);
    await dialog.getByTestId('guest-link-lifetime').selectOption('1');
    await screenshot(adminPage, '24-guest-link-form', { fullPage: false });
    await ageReauthentication();
    await dialog.getByTestId('guest-link-submit').click();
    const prompt = dialog.getByTestId('reauth-prompt');
    await prompt.getByLabel('Your password').fill(admin.password);
    await prompt.getByTestId('reauth-confirm').click(); // then the form is submitted again
    guestUrl = (await dialog.getByTestId('guest-link-url').textContent()) ?? '';
    expect(guestUrl).toMatch(new RegExp(`^${core!.url}/g/[\\w-]{43}$`));
    await screenshot(adminPage, '24-guest-link-shown-once', { fullPage: false });
    await dialog.getByTestId('guest-link-done').click();
    await dialog.waitFor({ state: 'hidden' });
    await linkRow().waitFor();
    expect(await linkRow().getAttribute('data-status')).toBe('active');
    expect(await linkRow().getByTestId('guest-link-uses').textContent()).toBe('0 / ∞');
  });

  it('gives the guest a read-only view of the audit log, with a banner and no account pages', async () => {
    guestPage = await (await browser!.newContext({ viewport })).newPage();
    await guestPage.goto(guestUrl);
    await guestPage.waitForURL((u) => u.pathname === '/audit');
    const token = guestUrl.split('/g/')[1]!;
    expect(guestPage.url()).not.toContain(token);

    const banner = guestPage.getByTestId('guest-banner');
    await banner.waitFor();
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain(`Guest access: ${guestLabel}`);
    expect(text).toContain('can read the audit log');
    const remaining = guestPage.getByTestId('guest-remaining');
    expect(await remaining.textContent()).toMatch(/^expires in (59|60) min \d\d s$/);
    const before = await remaining.textContent();
    await expect.poll(() => remaining.textContent(), { timeout: 5000 }).not.toBe(before); // it counts down

    await guestPage.getByTestId('audit-row').first().waitFor();
    expect(await guestPage.getByTestId('nav-audit').isVisible()).toBe(true);
    for (const absent of ['nav-overview', 'nav-profile', 'nav-users', 'nav-guests', 'sign-out', 'current-user']) {
      expect(await guestPage.getByTestId(absent).count(), absent).toBe(0);
    }
    expect(await guestPage.getByTestId('audit-verify').count()).toBe(0); // not granted
    await guestPage.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
    await screenshot(guestPage, '25-guest-view');

    // The admin's list counted the use, live.
    await expect.poll(() => linkRow().getByTestId('guest-link-uses').textContent(), { timeout: 8000 }).toBe('1 / ∞');
    await screenshot(adminPage, '26-guest-links');
  });

  it('ends the guest view within seconds when the admin revokes the link', async () => {
    await linkRow().getByTestId('guest-link-revoke').click();
    const confirm = openDialog(adminPage, 'confirm-dialog');
    expect(await confirm.textContent()).toContain(guestLabel);
    await confirm.getByTestId('confirm-button').click();
    await confirm.waitFor({ state: 'hidden' });
    await expect.poll(() => linkRow().getAttribute('data-status'), { timeout: 8000 }).toBe('revoked');

    await guestPage.getByTestId('guest-ended').waitFor({ timeout: 8000 });
    expect(await guestPage.getByRole('heading', { level: 1 }).textContent()).toBe('This guest access has ended');
    expect(await guestPage.getByTestId('audit-row').count()).toBe(0);
    await screenshot(guestPage, '27-guest-ended');

    // A reload says the same: the browser still holds the (now useless) guest cookie.
    await guestPage.reload();
    await guestPage.getByTestId('guest-ended').waitFor();
  });

  it("lists the guest's requests in the admin's audit log, with the guest link as actor", async () => {
    await adminPage.goto(`${core!.url}/audit?actor=${encodeURIComponent(guestLabel)}`);
    const rows = adminPage.getByTestId('audit-row');
    await rows.first().waitFor();
    const actions = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    expect(actions).toContain('guests.open');
    expect(actions).toContain('audit.list');
    expect(actions).toContain('session.whoami');
    expect(await rows.first().textContent()).toContain(`guest link “${guestLabel}”`);
    await screenshot(adminPage, '28-audit-guest-actions');
  });
});
