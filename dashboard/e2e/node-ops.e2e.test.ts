import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientKey, type SshdNode, startSshd } from '../../core/test/helpers/sshd.mjs';
import { DEMO_UNIT, type SystemdNode, startSystemdNode } from '../../core/test/helpers/systemd-node.mjs';
import { apiClient, until } from './helpers/api';
import { launchChromium, screenshot, screenshotDir } from './helpers/browser';
import { type RunningCore, startCore } from './helpers/core';
import { freshStores, type Stores } from './helpers/stores';

// Operating one node from its page, as an admin: systemd services and a live journal on a
// REAL node running systemd as PID 1 (a container reached over SSH, core/test/helpers/
// systemd-node.mjs), and file transfer with a REAL loopback sshd. Setup goes through the
// tRPC API as in core/test/services.test.ts; everything after that happens in Chromium.

const admin = { email: 'admin@example.com', name: 'Ada Lovelace', password: 'correct horse battery staple' };
const viewport = { width: 1360, height: 900 };

let stores: Stores | undefined;
let core: RunningCore | undefined;
let browser: Browser | undefined;
let systemd: SystemdNode | undefined;
let sshd: SshdNode | undefined;
let page: Page;
let systemdId = '';
let sshdId = '';
const uploaded = `/tmp/sbx-e2e-upload-${randomBytes(4).toString('hex')}.txt`;
const uploadedDir = `${uploaded}.d`;

const drawer = () => page.locator('[data-testid="unit-drawer"][open]');
const unitRow = (unit: string) => page.locator(`[data-testid="unit-row"][data-unit="${unit}"]`);
const text = async (testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? '').trim();

/** Remote journalctl processes following `unit` (the [x] keeps the probe's own shell out). */
const journalctls = (unit: string) =>
  systemd!.exec('pgrep -af "$1" || true', [`journalctl -u [${unit[0]}]${unit.slice(1)}`]).then((s) => s.trim());

/** The newest "sbx-demo tick N" in the journal viewer (N starts again at 1 after a restart). */
async function lastTick(): Promise<number> {
  const lines = (await page.getByTestId('journal-lines').textContent()) ?? '';
  return Number([...lines.matchAll(/sbx-demo tick (\d+)/g)].at(-1)?.[1] ?? 0);
}

beforeAll(async () => {
  stores = await freshStores();
  const key = await clientKey();
  [core, systemd, sshd] = await Promise.all([
    startCore(stores),
    startSystemdNode({ name: 'e2e-ops' }),
    startSshd({ name: 'e2e-files', user: 'sbx-sudo' }),
  ]);
  const api = apiClient(core.url);
  const token = new URL(core.setupUrl).hash.replace('#token=', '');
  await api.auth.setup.mutate({ token, ...admin });

  const register = async (name: string, host: string, port: number, fingerprint: string) => {
    const { node } = await api.nodes.create.mutate({
      name,
      host,
      port,
      username: 'sbx-sudo',
      hostKeyFingerprint: fingerprint,
      credential: { kind: 'upload', privateKey: key.privateKey },
    });
    await until(`${name} online`, async () => (await api.nodes.get.query({ id: node.id })).status === 'online');
    return node.id;
  };
  await systemd.authorize(key.publicKey, 'sbx-sudo');
  await sshd.authorize(key.publicKey);
  [systemdId, sshdId] = await Promise.all([
    register('sd-node', systemd.host, systemd.port, systemd.hostKeyFingerprint),
    register('files-node', sshd.host, sshd.port, sshd.hostKeyFingerprint),
  ]);

  browser = await launchChromium();
  page = await (await browser.newContext({ viewport, acceptDownloads: true })).newPage();
  await page.goto(`${core.url}/login`);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
  console.log(`e2e: core at ${core.url}; systemd node ${systemd.name}; screenshots in ${screenshotDir}`);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await core?.stop();
  await systemd?.close();
  await sshd?.close();
  await stores?.drop();
  rmSync(uploaded, { force: true });
  rmSync(uploadedDir, { recursive: true, force: true });
});

describe('services on a real systemd node', () => {
  it('lists the units, filters them, and opens one with its status and journal', async () => {
    await page.goto(`${core!.url}/nodes/${systemdId}`);
    await page.getByTestId('node-tab-services').click();
    await page.waitForURL((u) => u.searchParams.get('tab') === 'services');
    const demo = unitRow(DEMO_UNIT);
    await demo.waitFor({ timeout: 20_000 });
    expect(await demo.getAttribute('data-state')).toBe('active');
    expect(await unitRow('ssh.service').count()).toBe(1);
    await screenshot(page, '80-services-list');

    await page.getByTestId('units-search').fill('demo');
    await until('only the demo unit', async () => (await page.getByTestId('unit-row').count()) === 1);
    expect(await demo.textContent()).toContain('serverbox demo service');

    await demo.getByTestId('unit-open').click();
    await page.waitForURL((u) => u.searchParams.get('unit') === DEMO_UNIT);
    const d = drawer();
    await d.locator('[data-state="active"]').waitFor({ timeout: 20_000 });
    expect(await text('unit-fragment')).toBe(`/etc/systemd/system/${DEMO_UNIT}`);
    expect(await text('unit-file-state')).toBe('enabled');
    expect(Number(await text('unit-main-pid'))).toBeGreaterThan(1);
    expect(await text('unit-journal')).toMatch(/sbx-demo tick \d+/);
    // Only what makes sense for a running, enabled unit.
    expect(await d.getByTestId('unit-action-start').count()).toBe(0);
    expect(await d.getByTestId('unit-action-disable').count()).toBe(1);
    await screenshot(page, '81-unit-detail', { fullPage: false });
  });

  it('restarts the unit after a confirmation: active again, with a new main PID', async () => {
    const d = drawer();
    const before = await d.locator('[data-pid]').getAttribute('data-pid');
    await d.getByTestId('unit-action-restart').click();
    const confirm = page.locator('[data-testid="confirm-dialog"][open]');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain(`Restart ${DEMO_UNIT}?`);
    expect(await confirm.textContent()).toContain('sd-node');
    await confirm.getByTestId('confirm-button').click();
    await confirm.waitFor({ state: 'detached' }).catch(() => confirm.waitFor({ state: 'hidden' }));
    await until('a new main PID', async () => {
      const pid = await d.locator('[data-pid]').getAttribute('data-pid');
      return pid && pid !== before && (await d.locator('[data-state="active"]').count()) === 1;
    });
    expect((await systemd!.exec(`systemctl show -p MainPID --value ${DEMO_UNIT}`)).trim()).toBe(
      await d.locator('[data-pid]').getAttribute('data-pid'),
    );
  });

  it('follows the journal live, pauses, and stopping ends the remote journalctl', async () => {
    const d = drawer();
    await d.getByTestId('follow-journal').click();
    const viewer = d.getByTestId('journal-viewer');
    await viewer.waitFor();
    await until('first lines', async () => (await lastTick()) > 0);
    expect(await journalctls(DEMO_UNIT)).toMatch(/journalctl -u sbx-demo.service -f/);
    const first = await lastTick();
    await until('new tick lines', async () => (await lastTick()) >= first + 2, 15_000);
    expect(await text('journal-state')).toBe('Live');
    await screenshot(page, '82-journal-live', { fullPage: false });

    // Pause freezes the view while lines keep arriving underneath; Resume shows them.
    await d.getByTestId('journal-pause').click();
    const frozen = await lastTick();
    await until('lines waiting while paused', async () => /Paused · \d+ new/.test(await text('journal-state')), 10_000);
    expect(await lastTick()).toBe(frozen);
    await d.getByTestId('journal-pause').click();
    await until('the waiting lines', async () => (await lastTick()) > frozen);

    await d.getByTestId('journal-stop').click();
    await viewer.waitFor({ state: 'detached' });
    await until('the remote journalctl to exit', async () => (await journalctls(DEMO_UNIT)) === '', 10_000);
  });

  it('closing the drawer while following unfollows too', async () => {
    const d = drawer();
    await d.getByTestId('follow-journal').click();
    await d.getByTestId('journal-viewer').waitFor();
    await until('journalctl running', async () => (await journalctls(DEMO_UNIT)) !== '', 10_000);
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => !u.searchParams.has('unit'));
    await until('the remote journalctl to exit', async () => (await journalctls(DEMO_UNIT)) === '', 10_000);
  });
});

describe('files with a real sshd node', () => {
  const content = Buffer.from(`hello from the e2e test ${randomBytes(8).toString('hex')}\n`.repeat(200));
  const sha = createHash('sha256').update(content).digest('hex');

  it('uploads a file with a confirmation, progress and the matching sha256', async () => {
    await page.goto(`${core!.url}/nodes/${sshdId}?tab=files`);
    await page.getByTestId('files-tab').waitFor();
    await page.getByTestId('upload-file').setInputFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: content });
    await page.getByTestId('upload-path').fill(uploaded);
    await page.getByTestId('upload-submit').click();
    const confirm = page.locator('[data-testid="confirm-dialog"][open]');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain(uploaded);
    await confirm.getByTestId('confirm-button').click();
    await page.getByTestId('upload-result').waitFor({ timeout: 20_000 });
    expect(await text('upload-sha256')).toBe(sha);
    expect(Number(await text('upload-bytes'))).toBe(content.length);
    expect(await text('upload-sha-check')).toContain('Matches the local file');
    // The sshd node is this machine: the file is really there.
    expect(readFileSync(uploaded).equals(content)).toBe(true);
    await screenshot(page, '83-files-uploaded');
  });

  it('downloads the same bytes back', async () => {
    await page.getByTestId('download-path').fill(uploaded);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-submit').click()]);
    const saved = await download.path();
    expect(readFileSync(saved).equals(content)).toBe(true);
    expect(download.suggestedFilename()).toBe(uploaded.split('/').pop());
    await page.locator('[data-testid="download-progress"][data-done="true"]').waitFor({ timeout: 10_000 });
  });

  it('shows the core’s message when the path is a directory, downloading or uploading', async () => {
    await page.getByTestId('download-path').fill('/tmp');
    await page.getByTestId('download-submit').click();
    await page.getByTestId('download-error').waitFor();
    expect(await text('download-error')).toMatch(/Not accepted: \/tmp is a directory on files-node/);

    // A directory where the file should go: the core refuses before writing anything.
    mkdirSync(uploadedDir, { mode: 0o777 });
    await page.getByTestId('upload-path').fill(uploadedDir);
    await page.getByTestId('upload-submit').click();
    await page.locator('[data-testid="confirm-dialog"][open]').getByTestId('confirm-button').click();
    await page.getByTestId('upload-error').waitFor({ timeout: 20_000 });
    expect(await text('upload-error')).toContain(`Not accepted: ${uploadedDir} is a directory on files-node`);
    await screenshot(page, '84-files-errors');
  });
});
