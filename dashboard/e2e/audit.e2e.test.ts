import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './helpers/browser';
import { type RunningCore, repoRoot, startCore } from './helpers/core';
import { freshStores, type Stores } from './helpers/stores';

// The audit log as an admin reads it: what they did is there, what someone else does
// appears live, filters narrow it, a row shows the exact text the chain authenticates,
// the chain verifies, and an export verifies offline with the repository's script.

const admin = { email: 'auditor@example.com', name: 'Grace Hopper', password: 'correct horse battery staple' };
const newPassword = 'a much longer passphrase for the audit test';
const viewport = { width: 1360, height: 860 };

let stores: Stores | undefined;
let core: RunningCore | undefined;
let browser: Browser | undefined;
let page: Page;
let downloads: string | undefined;
/** Event-stream requests the page opened since the mark. */
const streams: string[] = [];

const rows = () => page.getByTestId('audit-row');
const actionsShown = () => rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
const outcomesShown = () => rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-outcome')));
const seqsShown = () => rows().evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));

async function signIn(p: Page, password: string) {
  await p.getByLabel('Email').fill(admin.email);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

beforeAll(async () => {
  stores = await freshStores();
  // A checkpoint every 5 rows, so the story has signed checkpoints to verify and export.
  core = await startCore(stores, { env: { SERVERBOX_AUDIT_CHECKPOINT_ROWS: '5' } });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport, acceptDownloads: true })).newPage();
  page.on('request', (r) => {
    if (r.url().includes('/trpc/events.onEvent')) streams.push(r.url());
  });
  downloads = mkdtempSync(join(tmpdir(), 'sb-e2e-audit-'));
});

afterAll(async () => {
  await browser?.close();
  await core?.stop();
  await stores?.drop();
  if (downloads) rmSync(downloads, { recursive: true, force: true });
});

describe('audit log page against a real core', () => {
  it('records the setup, sign-outs, a failed sign-in and a password change', async () => {
    await page.goto(core!.setupUrl);
    await page.getByTestId('setup-form').waitFor();
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Name').fill(admin.name);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByLabel('Repeat password').fill(admin.password);
    await page.getByRole('button', { name: 'Create admin and sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.locator('[data-testid="activity-row"][data-topic="users.created"]').waitFor();

    await page.getByTestId('sign-out').click();
    await page.waitForURL((u) => u.pathname === '/login');
    await signIn(page, 'not the password');
    await page.getByTestId('login-error').waitFor();
    await signIn(page, admin.password);
    await page.waitForURL((u) => u.pathname === '/');

    await page.goto(`${core!.url}/settings/profile`);
    await page.getByLabel('Current password').fill(admin.password);
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat new password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByTestId('password-changed').waitFor();
    await page.getByTestId('toast').getByRole('button', { name: 'Dismiss' }).click();

    await page.getByTestId('sign-out').click();
    await page.waitForURL((u) => u.pathname === '/login');
    await signIn(page, newPassword);
    await page.waitForURL((u) => u.pathname === '/');
    await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
    // Audit rows have their own page: the Activity feed does not repeat them.
    await page.locator('[data-testid="activity-row"][data-topic="auth.signedIn"]').first().waitFor();
    expect(await page.locator('[data-testid="activity-row"][data-topic="audit.appended"]').count()).toBe(0);
  });

  it('lists those actions newest first on the Audit log page, reached with g a', async () => {
    await page.getByTestId('nav-audit').waitFor();
    streams.length = 0;
    await page.keyboard.press('g');
    await page.keyboard.press('a');
    await page.waitForURL((u) => u.pathname === '/audit');
    await rows().first().waitFor();

    const actions = await actionsShown();
    for (const a of ['auth.setup', 'auth.login', 'auth.logout', 'auth.changePassword']) expect(actions).toContain(a);
    expect(actions.filter((a) => a === 'auth.login').length).toBeGreaterThanOrEqual(3); // two sign-ins, one refused
    expect(actions.filter((a) => a === 'auth.logout').length).toBe(2);
    const failed = page.locator('[data-testid="audit-row"][data-action="auth.login"][data-outcome="failure"]');
    expect(await failed.count()).toBe(1);
    const seqs = await seqsShown();
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(await page.getByTestId('audit-end').textContent()).toBe('Start of the log');
    await page.locator('[data-testid="audit-live"][data-live="true"]').waitFor();
    await screenshot(page, '10-audit-log');
  });

  it('shows a failed sign-in from another browser at the top, live, over the one subscription', async () => {
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const [top] = await seqsShown();
    const other = await browser!.newContext({ viewport });
    const otherPage = await other.newPage();
    await otherPage.goto(`${core!.url}/login`);
    await signIn(otherPage, 'guessing the password');
    await otherPage.getByTestId('login-error').waitFor();
    await other.close();

    const failed = page.locator('[data-testid="audit-row"][data-action="auth.login"][data-outcome="failure"]');
    await expect.poll(() => failed.count(), { timeout: 8000 }).toBe(2);
    const first = rows().first();
    expect(Number(await first.getAttribute('data-seq'))).toBeGreaterThan(top!);
    expect(await first.getAttribute('data-action')).toBe('auth.login');
    expect(await first.getAttribute('data-outcome')).toBe('failure');
    expect(await first.textContent()).toContain('anonymous');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(streams).toHaveLength(0); // the page opened no stream of its own: the shell's one delivered it
    await screenshot(page, '11-audit-live-row');
  });

  it('narrows the list by outcome and action, in the URL', async () => {
    const all = await rows().count();
    await page.getByTestId('filter-outcome').selectOption('failure');
    await page.waitForURL((u) => u.searchParams.get('outcome') === 'failure');
    await expect.poll(async () => new Set(await outcomesShown()), { timeout: 8000 }).toEqual(new Set(['failure']));
    expect(await rows().count()).toBe(2); // the two refused sign-ins
    expect(await rows().count()).toBeLessThan(all);

    await page.getByTestId('filter-outcome').selectOption('');
    await page.getByLabel('Action').fill('auth.log');
    await page.waitForURL((u) => u.searchParams.get('action') === 'auth.log');
    await expect
      .poll(async () => new Set(await actionsShown()), { timeout: 8000 })
      .toEqual(new Set(['auth.login', 'auth.logout']));
    await screenshot(page, '12-audit-filtered');

    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    await page.waitForURL((u) => u.search === '');
    await expect.poll(() => rows().count(), { timeout: 8000 }).toBe(all);
  });

  it("opens a row's details with its canonical text, hash and MAC", async () => {
    const row = page.locator('[data-testid="audit-row"][data-action="auth.changePassword"]');
    const seq = Number(await row.getAttribute('data-seq'));
    await row.click();
    await page.waitForURL((u) => u.searchParams.get('seq') === String(seq));
    const details = page.locator('[data-testid="audit-details"][open]');
    const canon = details.getByTestId('audit-canon');
    await canon.waitFor();
    const text = (await canon.textContent()) ?? '';
    expect(JSON.parse(text)).toMatchObject({ seq, action: 'auth.changePassword', outcome: 'success' });
    expect(text).not.toContain(newPassword); // inputs are redacted before they are recorded
    expect(await details.getByTestId('audit-hash').textContent()).toMatch(/^[0-9a-f]{64}$/);
    expect(await details.getByTestId('audit-mac').textContent()).toMatch(/^[0-9a-f]{64}$/);
    await details.getByTestId('audit-mac').scrollIntoViewIfNeeded();
    await screenshot(page, '13-audit-details', { fullPage: false });

    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'hidden' });
    expect(new URL(page.url()).searchParams.has('seq')).toBe(false);
  });

  it('verifies the chain and says it is intact', async () => {
    await page.getByTestId('audit-verify').click();
    const result = page.locator('[data-testid="verify-result"][data-state="ok"]');
    await result.waitFor({ timeout: 30_000 });
    const text = (await result.textContent()) ?? '';
    expect(text).toMatch(/Chain intact: \d+ rows verified, last checkpoint #\d+ at /);
    await screenshot(page, '14-audit-verified');
  });

  it('exports a bundle that the offline script verifies against the pinned key', async () => {
    const fingerprint = (await page.getByTestId('signing-key-fingerprint').textContent()) ?? '';
    expect(fingerprint).toMatch(/^SHA256:/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
    expect(download.suggestedFilename()).toMatch(/\.jsonl$/);
    const file = join(downloads!, download.suggestedFilename());
    await download.saveAs(file);
    expect(statSync(file).size).toBeGreaterThan(0);

    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(repoRoot, 'scripts/verify-audit-bundle.mjs'), file, '--fingerprint', fingerprint],
      { cwd: repoRoot },
    ); // rejects unless it exits 0
    console.log(`e2e: verify-audit-bundle: ${stdout.trim()}`);
  });

  it("reports a row edited behind the core's back, and opens it", async () => {
    const seq = Number(
      await page.locator('[data-testid="audit-row"][data-action="auth.changePassword"]').getAttribute('data-seq'),
    );
    // What an attacker with superuser access could do: switch the append-only trigger off and rewrite history.
    const sql = postgres(stores!.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await sql.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        await tx`update audit_events set canon = replace(canon, ${admin.email}, 'someone-else@example.com') where seq = ${seq}`;
      });
    } finally {
      await sql.end();
    }

    await page.getByTestId('audit-verify').click();
    const result = page.locator('[data-testid="verify-result"][data-state="bad"]');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toContain(`Tampering detected at row #${seq}: edited`);
    await screenshot(page, '15-audit-tampered');

    await result.getByTestId('verify-show-row').click();
    const details = page.locator('[data-testid="audit-details"][open]');
    await expect
      .poll(() => details.getByTestId('audit-canon').textContent(), { timeout: 8000 })
      .toContain('someone-else@example.com');
    await page.keyboard.press('Escape');
  });
});
