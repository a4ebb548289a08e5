import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientKey, type SshdNode, startSshd } from '../../core/test/helpers/sshd.mjs';
import { apiClient, until } from './helpers/api';
import { launchChromium, screenshot, screenshotDir } from './helpers/browser';
import { type RunningCore, startCore } from './helpers/core';
import { freshStores, type Stores } from './helpers/stores';

// Fleet runs as people live them, against two REAL OpenSSH sshd nodes on this machine. The
// setup (admin, nodes, a named command, an operator) goes through the tRPC API, as in
// core/test/runs.test.ts; then an operator runs the command on a label from the Runs page and
// watches both nodes answer live, and an admin edits commands and cancels an ad-hoc run.

const admin = { email: 'admin@example.com', name: 'Ada Lovelace', password: 'correct horse battery staple' };
const operator = { email: 'olga@example.com', name: 'Olga Operator', password: 'three little birds on my doorstep' };
const viewport = { width: 1360, height: 900 };
const nodeNames = ['e2e-web-1', 'e2e-web-2'];

let stores: Stores | undefined;
let core: RunningCore | undefined;
let browser: Browser | undefined;
const sshds: SshdNode[] = [];
let operatorPage: Page;
let adminPage: Page;

async function signIn(p: Page, who: { email: string; password: string }) {
  await p.goto(`${core!.url}/login`);
  await p.getByLabel('Email').fill(who.email);
  await p.getByLabel('Password').fill(who.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL((u) => u.pathname === '/');
  await p.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
}

const openDialog = (p: Page, testId: string) => p.locator(`[data-testid="${testId}"][open]`);
const runNode = (p: Page, name: string) => p.locator(`[data-testid="run-node"][data-node="${name}"]`);
/** A marker on the window: if it is still there later, the page never reloaded. */
const markPage = (p: Page) => p.evaluate(() => Object.assign(window, { __sbNoReload: true }));
const stillSamePage = (p: Page) => p.evaluate(() => (window as { __sbNoReload?: boolean }).__sbNoReload === true);

beforeAll(async () => {
  stores = await freshStores();
  core = await startCore(stores);
  const api = apiClient(core.url);
  const token = new URL(core.setupUrl).hash.replace('#token=', '');
  await api.auth.setup.mutate({ token, ...admin });

  const key = await clientKey();
  for (const name of nodeNames) {
    const n = await startSshd({ name, user: 'sbx-sudo' });
    sshds.push(n);
    await n.authorize(key.publicKey);
    const { node } = await api.nodes.create.mutate({
      name,
      host: n.host,
      port: n.port,
      username: n.user,
      labels: ['web'],
      hostKeyFingerprint: n.hostKeyFingerprint,
      credential: { kind: 'upload', privateKey: key.privateKey },
    });
    await until(`${name} online`, async () => (await api.nodes.get.query({ id: node.id })).status === 'online');
  }
  // Three steps a second apart, so the output visibly streams; a last line on stderr.
  await api.commands.create.mutate({
    name: 'greet',
    description: 'Greets someone from every node, one step a second',
    template: `for i in $(seq 1 {times}); do echo "step $i of" {times} {who}; sleep 1; done; echo 'a note on stderr' >&2`,
    params: [
      { name: 'who', type: 'string', pattern: '[a-z]+', description: 'Lowercase letters only' },
      { name: 'times', type: 'integer', default: '3' },
    ],
  });
  const { token: invite } = await api.users.invite.mutate({ email: operator.email, role: 'operator' });
  await apiClient(core.url).users.acceptInvite.mutate({
    token: invite,
    name: operator.name,
    password: operator.password,
  });

  browser = await launchChromium();
  operatorPage = await (await browser.newContext({ viewport })).newPage();
  adminPage = await (await browser.newContext({ viewport })).newPage();
  console.log(
    `e2e: core at ${core.url}; sshd nodes ${sshds.map((n) => n.port).join(', ')}; screenshots in ${screenshotDir}`,
  );
});

afterAll(async () => {
  await browser?.close();
  await core?.stop();
  await Promise.all(sshds.map((n) => n.close()));
  await stores?.drop();
});

describe('fleet runs against a real core and two real sshd nodes', () => {
  it('lets an operator fill in a named command, pick a label and confirm the targets', async () => {
    await signIn(operatorPage, operator);
    await operatorPage.getByTestId('nav-runs').click();
    await operatorPage.waitForURL((u) => u.pathname === '/runs');
    await operatorPage.getByTestId('runs-table').getByTestId('empty-state').waitFor();
    expect(await operatorPage.getByTestId('commands-card').count()).toBe(0); // admins only
    expect(await operatorPage.getByTestId('run-tab-adhoc').count()).toBe(0); // admins only

    await operatorPage.getByTestId('run-command').selectOption({ label: 'greet' });
    const info = operatorPage.getByTestId('command-info');
    expect(await info.textContent()).toContain('Greets someone from every node');
    expect(await info.getByTestId('command-template-view').textContent()).toContain('{who}');
    expect(await operatorPage.getByTestId('param-times').inputValue()).toBe('3'); // its default

    // Nothing chosen yet: the Run button waits for targets.
    expect(await operatorPage.getByTestId('run-submit').isDisabled()).toBe(true);
    await operatorPage.getByTestId('target-label-web').check();
    const count = operatorPage.getByTestId('target-count');
    expect(await count.getAttribute('data-count')).toBe('2');
    expect(await count.textContent()).toContain('2 nodes: 2 online');

    // A value outside the parameter's pattern is caught with the rule next to the field.
    await operatorPage.getByTestId('param-who').fill('Bad Value!');
    await operatorPage.getByTestId('run-submit').click();
    const fieldError = operatorPage.getByRole('alert').filter({ hasText: 'Must match [a-z]+' });
    await fieldError.waitFor();
    expect(await openDialog(operatorPage, 'confirm-dialog').count()).toBe(0);
    await screenshot(operatorPage, '60-runs-form-invalid');

    await operatorPage.getByTestId('param-who').fill('operators');
    await screenshot(operatorPage, '61-runs-form');
    await operatorPage.getByTestId('run-submit').click();
    const confirm = openDialog(operatorPage, 'confirm-dialog');
    await confirm.waitFor();
    const targets = await confirm.getByTestId('confirm-targets').textContent();
    for (const name of nodeNames) expect(targets).toContain(name);
    expect(await confirm.textContent()).toContain('operators');
    await screenshot(operatorPage, '62-runs-confirm', { fullPage: false });
  });

  it('lands on the run page and streams both nodes live to Succeeded, without a reload', async () => {
    await openDialog(operatorPage, 'confirm-dialog').getByTestId('confirm-button').click();
    await operatorPage.waitForURL((u) => /^\/runs\/[0-9a-f-]{36}$/.test(u.pathname));
    await markPage(operatorPage);

    // Output shows up while the nodes are still running: it streams, it is not loaded at the end.
    for (const name of nodeNames) {
      const panel = runNode(operatorPage, name);
      await panel.getByTestId('run-node-output').filter({ hasText: 'step 1 of 3 operators' }).waitFor();
    }
    expect(await operatorPage.locator('[data-testid="run-node"][data-status="running"]').count()).toBeGreaterThan(0);
    expect(await operatorPage.getByTestId('run-status').getAttribute('data-status')).toBe('running');
    expect(await operatorPage.getByTestId('run-cancel').isVisible()).toBe(true);
    await screenshot(operatorPage, '63-run-live');

    await operatorPage.locator('[data-testid="run-status"][data-status="succeeded"]').waitFor({ timeout: 20_000 });
    for (const name of nodeNames) {
      const panel = runNode(operatorPage, name);
      await panel.and(operatorPage.locator('[data-status="succeeded"]')).waitFor();
      const output = panel.getByTestId('run-node-output');
      expect(await output.textContent()).toMatch(
        /step 1 of 3 operators\nstep 2 of 3 operators\nstep 3 of 3 operators\n/,
      );
      // Each chunk kept its stream: the last line came on stderr.
      expect(await output.locator('[data-stream="stderr"]').textContent()).toContain('a note on stderr');
      expect(await panel.getByTestId('run-node-exit').textContent()).toBe('exit 0');
    }
    expect(await operatorPage.getByTestId('run-summary-line').textContent()).toContain('2 succeeded, 0 failed');
    expect(await operatorPage.getByTestId('run-cancel').count()).toBe(0);
    expect(await stillSamePage(operatorPage)).toBe(true);
    await screenshot(operatorPage, '64-run-succeeded');

    // After a reload the stored output reads the same (once, not twice).
    await operatorPage.reload();
    const stored = await runNode(operatorPage, nodeNames[0]!).getByTestId('run-node-output').textContent();
    expect(stored?.match(/step 1 of 3/g)?.length).toBe(1);
    expect(stored).toContain('a note on stderr');
  });

  it('lists the run in Recent runs with its result and who started it', async () => {
    await operatorPage.getByRole('link', { name: '← All runs' }).click();
    await operatorPage.waitForURL((u) => u.pathname === '/runs');
    const row = operatorPage.getByTestId('run-row').first();
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('succeeded');
    expect(await row.getByTestId('run-summary').textContent()).toBe('2 ok');
    expect(await row.textContent()).toContain(operator.name);
    await screenshot(operatorPage, '65-runs-page');
  });

  it("shows the core's validation in the admin's command editor, then saves the command", async () => {
    await signIn(adminPage, admin);
    await adminPage.getByTestId('nav-runs').click();
    await adminPage.getByTestId('commands-card').getByTestId('command-row').first().waitFor();
    await adminPage.getByTestId('command-new').click();
    const editor = openDialog(adminPage, 'command-editor');
    await editor.getByTestId('command-name').fill('disk-usage');
    await editor.getByTestId('command-description').fill('Free space of one mount point');
    // A placeholder inside quotes is refused by the core: values are quoted for you.
    await editor.getByTestId('command-template').fill("df -h '{path}'");
    await editor.getByTestId('param-add').click();
    await editor.getByTestId('param-name').fill('path');
    await editor.getByTestId('command-save').click();
    const problems = editor.getByTestId('command-problems');
    await problems.waitFor();
    expect(await problems.textContent()).toContain('inside quotes');
    await screenshot(adminPage, '66-command-editor-invalid', { fullPage: false });

    await editor.getByTestId('command-template').fill('df -h {path}');
    await editor.getByTestId('command-save').click();
    await editor.waitFor({ state: 'hidden' });
    await adminPage.locator('[data-testid="command-row"][data-name="disk-usage"]').waitFor();
    await adminPage.getByTestId('commands-card').scrollIntoViewIfNeeded();
    await screenshot(adminPage, '67-commands');

    // Editing opens the saved command, parameters included.
    await adminPage.locator('[data-testid="command-row"][data-name="greet"]').getByTestId('command-edit').click();
    const edit = openDialog(adminPage, 'command-editor');
    expect(await edit.getByTestId('command-name').inputValue()).toBe('greet');
    expect(await edit.getByTestId('param-editor-row').count()).toBe(2);
    await screenshot(adminPage, '68-command-editor', { fullPage: false });
    await adminPage.keyboard.press('Escape');
    await edit.waitFor({ state: 'hidden' });
  });

  it('lets an admin run ad-hoc shell after a warning, and cancel it from the run page', async () => {
    await adminPage.getByTestId('run-tab-adhoc').click();
    await adminPage.getByTestId('adhoc-command').fill('sleep 30');
    await adminPage.getByTestId(`target-node-${nodeNames[0]}`).check();
    expect(await adminPage.getByTestId('target-count').getAttribute('data-count')).toBe('1');
    await adminPage.getByTestId('adhoc-submit').click();
    const confirm = openDialog(adminPage, 'confirm-dialog');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('sleep 30');
    expect(await confirm.getByTestId('confirm-targets').textContent()).toContain(nodeNames[0]);
    await screenshot(adminPage, '69-adhoc-confirm', { fullPage: false });
    await confirm.getByTestId('confirm-button').click();
    await adminPage.waitForURL((u) => /^\/runs\/[0-9a-f-]{36}$/.test(u.pathname));
    await markPage(adminPage);
    await runNode(adminPage, nodeNames[0]!).and(adminPage.locator('[data-status="running"]')).waitFor();

    await adminPage.getByTestId('run-cancel').click();
    const cancel = openDialog(adminPage, 'confirm-dialog');
    await cancel.waitFor();
    await cancel.getByTestId('confirm-button').click();
    await adminPage.locator('[data-testid="run-status"][data-status="cancelled"]').waitFor({ timeout: 20_000 });
    await runNode(adminPage, nodeNames[0]!).and(adminPage.locator('[data-status="cancelled"]')).waitFor();
    expect(await adminPage.getByTestId('run-cancel').count()).toBe(0);
    expect(await adminPage.getByTestId('run-summary-line').textContent()).toContain('1 cancelled');
    expect(await stillSamePage(adminPage)).toBe(true);
    await screenshot(adminPage, '70-run-cancelled');

    // The operator's Recent runs followed along live.
    await operatorPage
      .locator('[data-testid="run-row"][data-status="cancelled"]')
      .filter({ hasText: 'sleep 30' })
      .waitFor();
  });
});
