import { generate } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './helpers/browser';
import { type RunningCore, startCore } from './helpers/core';
import { freshStores, type Stores } from './helpers/stores';

// Two-factor authentication and API tokens as an admin lives them: enrol from Profile,
// keep the recovery codes, sign in with a code and with a recovery code, then hand a
// script a token, watch it work against the API, revoke it and watch it stop.

const admin = { email: 'admin@example.com', name: 'Ada Lovelace', password: 'correct horse battery staple' };
const viewport = { width: 1360, height: 900 };

let stores: Stores | undefined;
let core: RunningCore | undefined;
let browser: Browser | undefined;
let page: Page;
let secret = '';
let recoveryCodes: string[] = [];
let token = '';

/** The code of the current 30 s step, or of a later one (a code is never accepted twice). */
const totp = (stepsAhead = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 * stepsAhead });
const openDialog = (testId: string) => page.locator(`[data-testid="${testId}"][open]`);

async function signOut() {
  await page.goto(`${core!.url}/settings/profile`);
  await page.getByTestId('profile-sign-out').click();
  await page.waitForURL((u) => u.pathname === '/login');
}

async function password() {
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('two-factor-form').waitFor();
}

const health = (bearer: string) =>
  fetch(`${core!.url}/trpc/system.health`, { headers: { authorization: `Bearer ${bearer}` } });

beforeAll(async () => {
  stores = await freshStores();
  core = await startCore(stores, { env: { SERVERBOX_SESSION_CACHE_MS: '0' } });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport })).newPage();
});

afterAll(async () => {
  await browser?.close();
  await core?.stop();
  await stores?.drop();
});

describe('two-factor authentication and API tokens against a real core', () => {
  it('enrols the admin from Profile with the QR code, and shows the recovery codes once', async () => {
    await page.goto(core!.setupUrl);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Name').fill(admin.name);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByLabel('Repeat password').fill(admin.password);
    await page.getByRole('button', { name: 'Create admin and sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/');

    await page.goto(`${core!.url}/settings/profile`);
    const card = page.getByTestId('two-factor-card');
    expect(await card.getByTestId('two-factor-status').textContent()).toBe('Off');
    await page.getByTestId('tokens-card').getByTestId('empty-state').waitFor();
    await card.getByTestId('two-factor-enable').click();

    const dialog = openDialog('enrol-2fa-dialog');
    const qr = dialog.getByTestId('enrol-2fa-qr');
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;utf8,%3Csvg/);
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    secret = (await dialog.getByTestId('enrol-2fa-secret').getAttribute('data-secret')) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await screenshot(page, '30-2fa-enrol', { fullPage: false });

    await dialog.getByLabel('Authentication code').fill('000000');
    await dialog.getByTestId('enrol-2fa-submit').click();
    await dialog.getByText('That code is not right.', { exact: false }).waitFor();
    await dialog.getByLabel('Authentication code').fill(await totp());
    await dialog.getByTestId('enrol-2fa-submit').click();

    const codes = dialog.getByTestId('recovery-code');
    await codes.first().waitFor();
    recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
    expect(recoveryCodes).toHaveLength(10);
    for (const c of recoveryCodes) expect(c).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);
    expect(await dialog.getByTestId('recovery-warning').textContent()).toContain('will not be shown again');
    await screenshot(page, '31-2fa-recovery-codes', { fullPage: false });
    await dialog.getByTestId('enrol-2fa-done').click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => card.getByTestId('two-factor-status').textContent()).toBe('On');
    expect(await card.getByTestId('recovery-left').textContent()).toContain('10 of 10 left');
    expect(await page.content()).not.toContain(recoveryCodes[0]);
  });

  it('asks for a code after the password, refuses a wrong one and signs in with the right one', async () => {
    await signOut();
    await password();
    expect(await page.getByTestId('two-factor-email').textContent()).toBe(admin.email);
    await screenshot(page, '32-login-code-step');
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByTestId('two-factor-submit').click();
    await page.getByTestId('two-factor-error').waitFor();
    expect(await page.getByTestId('two-factor-error').textContent()).toBe('That code is not right.');
    await page.getByLabel('Authentication code').fill(await totp(1));
    await page.getByTestId('two-factor-submit').click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.getByTestId('health-card').waitFor();
  });

  it('signs in with a recovery code, which is then used up', async () => {
    await signOut();
    await password();
    await page.getByTestId('two-factor-switch').click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[0]!);
    await page.getByTestId('two-factor-submit').click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.goto(`${core!.url}/settings/profile`);
    await expect
      .poll(() => page.getByTestId('recovery-left').textContent(), { timeout: 8000 })
      .toContain('9 of 10 left');
  });

  it('creates an API token that works against the API, shown once', async () => {
    await page.getByTestId('create-token').click();
    const dialog = openDialog('token-dialog');
    await dialog.getByLabel('Name').fill('health probe');
    expect(await dialog.getByTestId('token-perm-system:read').isChecked()).toBe(true);
    for (const never of ['profile:manage', 'users:manage', 'guests:manage', 'settings:manage']) {
      expect(await dialog.getByTestId(`token-perm-${never}`).count(), never).toBe(0);
    }
    expect(await dialog.getByTestId('token-perm-audit:read').count()).toBe(1);
    expect(await dialog.getByTestId('token-expiry').inputValue()).toBe('30');
    await dialog.getByTestId('token-submit').click();
    token = ((await dialog.getByTestId('token-value').textContent()) ?? '').trim();
    expect(token).toMatch(/^sbx_/);
    expect(await dialog.getByTestId('token-example').textContent()).toBe(
      `curl -H "Authorization: Bearer ${token}" ${core!.url}/trpc/system.health`,
    );
    await screenshot(page, '34-token-created', { fullPage: false });
    await dialog.getByTestId('token-done').click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.content()).not.toContain(token);

    const res = await health(token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { data: { status: string } } }).result.data.status).toMatch(/ok|degraded/);

    const row = page.locator('[data-testid="token-row"][data-name="health probe"]');
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('active');
    await page.reload();
    await expect.poll(() => row.textContent(), { timeout: 8000 }).not.toContain('never'); // last used
    await screenshot(page, '33-tokens-card');
  });

  it('revokes the token after a confirmation naming it; the API then answers 401', async () => {
    const row = page.locator('[data-testid="token-row"][data-name="health probe"]');
    await row.getByTestId('token-revoke').click();
    const confirm = openDialog('confirm-dialog');
    expect(await confirm.textContent()).toContain('health probe');
    await confirm.getByTestId('confirm-button').click();
    await confirm.waitFor({ state: 'hidden' });
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 8000 }).toBe('revoked');
    expect((await health(token)).status).toBe(401);
  });
});
