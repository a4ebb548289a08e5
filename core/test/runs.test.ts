import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { script } from '../src/ssh/command.js';
import {
  type Browser,
  browser,
  collect,
  outcomeOf,
  setupAdmin,
  startCore,
  type TestCore,
  waitFor,
} from './helpers/core.js';
import { addNode } from './helpers/nodes.js';
import { type ClientKey, clientKey, type SshdNode, startSshd } from './helpers/sshd.mjs';

// Fleet runs end to end: admins define named commands, operators run them on nodes chosen
// by label, output streams live per node over the one subscription, results are kept.

let core: TestCore;
let admin: Browser;
let operator: Browser;
let key: ClientKey;
const sshds: SshdNode[] = [];
const ids: string[] = [];

async function invited(email: string, role: 'operator' | 'viewer') {
  const { token } = await admin.client.users.invite.mutate({ email, role });
  const b = browser(core.url);
  await b.client.users.acceptInvite.mutate({ token, name: email, password: 'a good long passphrase' });
  return b;
}

beforeAll(async () => {
  core = await startCore();
  admin = await setupAdmin(core);
  operator = await invited('op@example.com', 'operator');
  key = await clientKey();
  for (const name of ['run-a', 'run-b', 'run-c']) {
    const n = await startSshd({ name, user: 'sbx-sudo' });
    await n.authorize(key.publicKey);
    sshds.push(n);
    ids.push(
      await addNode(admin, n, key.privateKey, { name, username: n.user, labels: name === 'run-c' ? ['db'] : ['web'] }),
    );
  }
});
afterAll(async () => {
  await Promise.all(sshds.map((n) => n.close()));
  await core.close();
});

const exists = script`test -e "$1" && echo present || echo absent`;

type Ev = { topic: string; data: Record<string, unknown> };
function listen(b: Browser) {
  const events = collect<Ev>();
  const sub = b.client.events.onEvent.subscribe(
    {},
    { onData: (e) => events.push((e as { data: Ev }).data), onError: (e) => events.fail(e) },
  );
  return { events, stop: () => sub.unsubscribe() };
}

describe('named commands', () => {
  it('are defined by admins only, with checked templates', async () => {
    const bad = [
      { name: 'q', template: "echo '{x}'", params: [{ name: 'x', type: 'string' as const }] },
      { name: 'q', template: 'echo a{x}', params: [{ name: 'x', type: 'string' as const }] },
      { name: 'q', template: 'echo {y}', params: [{ name: 'x', type: 'string' as const }] },
      { name: 'Q Q', template: 'true', params: [] },
    ];
    for (const c of bad) expect(await outcomeOf(admin.client.commands.create.mutate(c))).toBe('BAD_REQUEST');
    expect(await outcomeOf(operator.client.commands.create.mutate({ name: 'x', template: 'true' }))).toBe('FORBIDDEN');
    const cmd = await admin.client.commands.create.mutate({
      name: 'say',
      description: 'Prints a message',
      template: "printf '%s|' {msg} && hostname >/dev/null && echo done",
      params: [{ name: 'msg', type: 'string' }],
    });
    expect((await operator.client.commands.list.query()).map((c) => c.name)).toContain('say');
    expect(await outcomeOf(admin.client.commands.create.mutate({ name: 'SAY', template: 'true' }))).toBe('CONFLICT');
    expect(cmd.id).toBeTruthy();
  });
});

describe('fleet runs', () => {
  it('runs on nodes chosen by label with live per-node output; hostile values stay literal', async () => {
    const say = (await operator.client.commands.list.query()).find((c) => c.name === 'say');
    const live = listen(admin);
    const marker = `/tmp/sbx-run-pwned-${process.pid}`;
    const msg = `$(touch ${marker}); \`touch ${marker}\` && echo "x"`;
    try {
      const { runId } = await operator.client.runs.start.mutate({
        commandId: say?.id as string,
        params: { msg },
        targets: { nodeIds: [], labels: ['web'] },
      });
      await live.events.until(
        (es) => es.some((e) => e.topic === 'runs.changed' && e.data.runId === runId && e.data.status === 'succeeded'),
        20_000,
        'run finished',
      );
      const outputs = live.events.items.filter((e) => e.topic === 'runs.output' && e.data.runId === runId);
      const byNode = new Set(outputs.map((e) => (e.data.node as { name: string }).name));
      expect([...byNode].sort()).toEqual(['run-a', 'run-b']);
      const run = await operator.client.runs.get.query({ runId });
      expect(run.status).toBe('succeeded');
      expect(run.summary).toEqual({ total: 2, succeeded: 2, failed: 0, running: 0 });
      for (const n of run.nodes) {
        expect(n.exitCode).toBe(0);
        expect(n.output).toBe(`${msg}|done\n`);
      }
      const check = await core.services.nodes.pool.exec(ids[0] as string, exists(marker));
      expect(check.stdout.trim()).toBe('absent');
      expect((await operator.client.runs.list.query()).items.some((r) => r.id === runId)).toBe(true);
    } finally {
      live.stop();
    }
  });

  it('refuses bad parameters, unknown nodes, and lower roles, storing nothing', async () => {
    const cmd = await admin.client.commands.create.mutate({
      name: 'restart-unit',
      template: 'echo restarting {unit}',
      params: [{ name: 'unit', type: 'string', pattern: '[a-z0-9-]+\\.service' }],
    });
    const before = (await admin.client.runs.list.query()).total;
    const t = { nodeIds: [ids[0] as string], labels: [] };
    expect(
      await outcomeOf(operator.client.runs.start.mutate({ commandId: cmd.id, params: { unit: 'x; id' }, targets: t })),
    ).toBe('BAD_REQUEST');
    expect(await outcomeOf(operator.client.runs.start.mutate({ commandId: cmd.id, params: {}, targets: t }))).toBe(
      'BAD_REQUEST',
    );
    expect(
      await outcomeOf(
        operator.client.runs.start.mutate({
          commandId: cmd.id,
          params: { unit: 'a.service' },
          targets: { nodeIds: ['00000000-0000-4000-8000-000000000000'], labels: [] },
        }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      await outcomeOf(
        operator.client.runs.startAdHoc.mutate({ command: 'id', targets: { nodeIds: [], labels: ['web'] } }),
      ),
    ).toBe('FORBIDDEN');
    const viewer = await invited('viewer@example.com', 'viewer');
    expect(
      await outcomeOf(
        viewer.client.runs.start.mutate({ commandId: cmd.id, params: { unit: 'a.service' }, targets: t }),
      ),
    ).toBe('FORBIDDEN');
    expect((await admin.client.runs.list.query()).total).toBe(before);
  });

  it('reports a failed node beside the others, and admins can run ad-hoc shell as root', async () => {
    const down = sshds[2] as SshdNode;
    await down.stop();
    core.services.nodes.pool.drop(ids[2] as string);
    try {
      const { runId } = await admin.client.runs.startAdHoc.mutate({
        command: 'id -u',
        root: true,
        targets: { nodeIds: [], labels: ['web', 'db'] },
      });
      await waitFor(async () => (await admin.client.runs.get.query({ runId })).status !== 'running', 20_000, 'run end');
      const run = await admin.client.runs.get.query({ runId });
      expect(run.status).toBe('failed');
      expect(run.summary).toMatchObject({ total: 3, succeeded: 2, failed: 1 });
      const failed = run.nodes.find((n) => n.nodeName === 'run-c');
      expect(failed?.error).toMatch(/cannot reach|refused|closed/i);
      for (const n of run.nodes.filter((x) => x.nodeName !== 'run-c')) expect(n.output.trim()).toBe('0');
    } finally {
      await down.start();
    }
  });

  it('cancels a running run and stops the remote commands', async () => {
    const { runId } = await admin.client.runs.startAdHoc.mutate({
      command: 'sleep 37',
      targets: { nodeIds: [ids[0] as string], labels: [] },
    });
    await waitFor(
      async () => (await admin.client.runs.get.query({ runId })).nodes.every((n) => n.status === 'running'),
      10_000,
      'running',
    );
    expect(await outcomeOf(operator.client.runs.cancel.mutate({ runId }))).toBe('OK');
    await waitFor(
      async () => (await admin.client.runs.get.query({ runId })).status === 'cancelled',
      10_000,
      'cancelled',
    );
    expect(await outcomeOf(operator.client.runs.cancel.mutate({ runId }))).toBe('CONFLICT');
  });
});
