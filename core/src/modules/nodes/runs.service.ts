import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { type AuditScope, annotateAudit } from '../../platform/audit-context.js';
import type { Database } from '../../platform/db/client.js';
import type { EventBus } from '../../platform/events/bus.js';
import type { Jobs } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import { adminShell, CommandError, checkTemplate, type RemoteCommand, renderTemplate } from '../../ssh/command.js';
import { isSshError } from '../../ssh/ssh-error.js';
import { type Actor, can, type UserActor } from '../access/permissions.js';
import type { AuditService } from '../audit/audit.service.js';
import type { NodeRepository } from './nodes.repository.js';
import type { NodeService } from './nodes.service.js';
import type { CommandParam, RunSummary } from './nodes.tables.js';
import type { RunRepository, RunRow } from './runs.repository.js';

// Fleet runs: a named command (admin-defined template with typed parameters) or, for
// admins, ad-hoc shell, run on chosen nodes in parallel. The request stores the run and
// enqueues a job; a worker runs it through the pool and streams each node's output live.

const queue = 'fleet-runs';
const keptOutputBytes = 256 * 1024;
const paramName = /^[a-z][a-z0-9_]{0,31}$/;

export interface CommandInput {
  name: string;
  description: string;
  template: string;
  params: CommandParam[];
  root: boolean;
  timeoutSeconds: number;
}

export function createRunService(d: {
  db: Database;
  runs: RunRepository;
  nodeRepo: NodeRepository;
  nodes: NodeService;
  jobs: Jobs;
  events: EventBus;
  audit: Pick<AuditService, 'record'>;
  log: Logger;
  parallel?: number;
}) {
  const { runs, events } = d;
  const cancels = new Map<string, AbortController>();
  d.events.on('runs.cancel', ({ runId }) => cancels.get(runId)?.abort());

  function checkCommand(input: CommandInput) {
    const problems: string[] = [];
    if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(input.name))
      problems.push('Name: lowercase letters, digits, ".", "_" and "-".');
    for (const p of input.params) {
      if (!paramName.test(p.name)) problems.push(`Parameter "${p.name}": lowercase letters, digits and "_".`);
      if (p.type === 'enum' && !p.values?.length) problems.push(`Parameter ${p.name}: list its values.`);
      if (p.pattern) {
        try {
          new RegExp(p.pattern, 'u');
        } catch {
          problems.push(`Parameter ${p.name}: the pattern is not a valid regular expression.`);
        }
      }
    }
    if (new Set(input.params.map((p) => p.name)).size !== input.params.length) problems.push('Parameter names repeat.');
    problems.push(...checkTemplate(input.template, input.params));
    if (problems.length) throw new ValidationError(problems.join(' '), { problems });
  }

  /** Builds the command once at request time, so bad parameters are refused before anything is stored. */
  function refuseBadCommand(build: () => RemoteCommand) {
    try {
      build();
    } catch (err) {
      if (err instanceof CommandError) throw new ValidationError(err.message);
      throw err;
    }
  }

  const summarise = (states: string[]): RunSummary => ({
    total: states.length,
    succeeded: states.filter((s) => s === 'succeeded').length,
    failed: states.filter((s) => s === 'failed' || s === 'cancelled').length,
    running: states.filter((s) => s === 'running' || s === 'queued').length,
  });

  async function publishRun(run: RunRow) {
    await events.publish('runs.changed', {
      runId: run.id,
      title: run.title,
      status: run.status,
      summary: run.summary,
      by: run.startedByName,
    });
  }

  /** Runs (or resumes after a crash) one fleet run; idempotent per node. */
  /** What a run executes, built again from PostgreSQL (never taken from the job's data). */
  async function commandOf(run: RunRow): Promise<{ command: RemoteCommand; root: boolean; timeoutMs: number }> {
    if (run.adHoc) {
      const { command = '', root = 'false', timeout = '300' } = run.params;
      return { command: adminShell(command), root: root === 'true', timeoutMs: Number(timeout) * 1000 };
    }
    const cmd = run.commandId ? await runs.command(run.commandId) : null;
    if (!cmd) throw new CommandError('the command was removed before the run started');
    return {
      command: renderTemplate(cmd.template, cmd.params, run.params),
      root: cmd.root,
      timeoutMs: cmd.timeoutSeconds * 1000,
    };
  }

  async function execute(runId: string) {
    const run = await runs.run(runId);
    if (run?.status !== 'running') return;
    let spec: Awaited<ReturnType<typeof commandOf>>;
    try {
      spec = await commandOf(run);
    } catch (err) {
      await runs.endOpenRunNodes(runId, 'failed', (err as Error).message);
      const failed = await runs.updateRun(runId, { status: 'failed', finishedAt: new Date() });
      if (failed) await publishRun(failed);
      return;
    }
    const { command, root, timeoutMs } = spec;
    // A node left 'running' by a crashed worker may have run already: never run it twice.
    const all = await runs.runNodes(runId);
    for (const n of all.filter((x) => x.status === 'running'))
      await runs.updateRunNode(runId, n.nodeName, {
        status: 'failed',
        error: 'interrupted (the core restarted)',
        finishedAt: new Date(),
      });
    const todo = all.filter((n) => n.status === 'queued');
    const abort = new AbortController();
    cancels.set(runId, abort);
    try {
      let next = 0;
      const worker = async () => {
        for (;;) {
          const n = todo[next++];
          if (!n) return;
          await runOne(run, n.nodeId, n.nodeName, command, root, timeoutMs, abort.signal);
        }
      };
      await Promise.all(Array.from({ length: Math.min(d.parallel ?? 32, todo.length) }, worker));
    } finally {
      cancels.delete(runId);
    }
    const final = await runs.runNodes(runId);
    const summary = summarise(final.map((n) => n.status));
    const cancelled = abort.signal.aborted;
    const status = cancelled ? 'cancelled' : summary.failed > 0 ? 'failed' : 'succeeded';
    const done = await runs.updateRun(runId, { status, summary, finishedAt: new Date() });
    if (done) {
      await publishRun(done);
      await d.audit.record(
        systemScope('runs.finished', done, { status, ...summary }),
        status === 'succeeded' ? 'success' : 'failure',
      );
    }
  }

  function systemScope(action: string, run: RunRow, details: Record<string, unknown>): AuditScope {
    return {
      action,
      actor: { type: 'system', id: null, name: 'serverbox' },
      ip: null,
      userAgent: null,
      requestId: null,
      target: { type: 'fleet-run', id: run.id, name: run.title },
      details,
      recorded: false,
      afterCommit: [],
    };
  }

  async function runOne(
    run: RunRow,
    nodeId: string | null,
    nodeName: string,
    command: RemoteCommand,
    root: boolean,
    timeoutMs: number,
    signal: AbortSignal,
  ) {
    const node = nodeId ? await d.nodeRepo.byId(nodeId) : null;
    if (!node) {
      await runs.updateRunNode(run.id, nodeName, {
        status: 'failed',
        error: 'the node was removed',
        finishedAt: new Date(),
      });
      return;
    }
    const ref = d.nodes.ref(node);
    if (signal.aborted) {
      await runs.updateRunNode(run.id, nodeName, { status: 'cancelled', error: 'cancelled', finishedAt: new Date() });
      return;
    }
    await runs.updateRunNode(run.id, nodeName, { status: 'running', startedAt: new Date() });
    await events.publish('runs.node', { runId: run.id, node: ref, status: 'running', exitCode: null, error: null });
    let pending: { stream: 'stdout' | 'stderr'; text: string }[] = [];
    let timer: NodeJS.Timeout | null = null;
    const flush = () => {
      timer = null;
      const batch = pending;
      pending = [];
      for (const part of batch)
        void events
          .publish('runs.output', { runId: run.id, node: ref, stream: part.stream, text: part.text })
          .catch(() => {});
    };
    const onChunk = (stream: 'stdout' | 'stderr') => (c: Buffer) => {
      const last = pending.at(-1);
      if (last?.stream === stream && last.text.length < 32_000) last.text += c.toString('utf8');
      else pending.push({ stream, text: c.toString('utf8') });
      timer ??= setTimeout(flush, 100);
    };
    let status: 'succeeded' | 'failed' | 'cancelled';
    let exitCode: number | null = null;
    let error: string | null = null;
    let output = '';
    let truncated = false;
    try {
      const r = await d.nodes.pool.exec(node.id, command, {
        root,
        timeoutMs,
        signal,
        hangup: true,
        maxOutputBytes: keptOutputBytes,
        onStdout: onChunk('stdout'),
        onStderr: onChunk('stderr'),
      });
      exitCode = r.code;
      output = r.stdout + (r.stderr ? `${r.stdout && !r.stdout.endsWith('\n') ? '\n' : ''}${r.stderr}` : '');
      truncated = r.truncated;
      status = r.code === 0 ? 'succeeded' : 'failed';
      if (r.truncated) error = `output over ${keptOutputBytes / 1024} KiB: the command was stopped`;
    } catch (err) {
      status = isSshError(err, 'cancelled') ? 'cancelled' : 'failed';
      error = (err as Error).message;
    }
    if (timer) clearTimeout(timer);
    flush();
    await runs.updateRunNode(run.id, nodeName, {
      status,
      exitCode,
      error,
      output: output.slice(0, keptOutputBytes),
      truncated,
      finishedAt: new Date(),
    });
    await events.publish('runs.node', { runId: run.id, node: ref, status, exitCode, error });
  }

  async function targetsFor(
    actor: Actor,
    permission: 'nodes:exec' | 'nodes:shell',
    t: { nodeIds: string[]; labels: string[] },
  ) {
    const all = await d.nodeRepo.all();
    const chosen = all.filter((n) => t.nodeIds.includes(n.id) || n.labels.some((l) => t.labels.includes(l)));
    const missing = t.nodeIds.filter((id) => !all.some((n) => n.id === id));
    const refused = chosen.filter((n) => !can(actor, permission, { nodeId: n.id, labels: n.labels }));
    if (missing.length || refused.length)
      throw new NotFoundError('Some of those nodes do not exist or are outside your scope.');
    if (chosen.length === 0) throw new ValidationError('No node matches those targets.');
    return chosen;
  }

  async function launch(
    actor: UserActor,
    spec: { commandId: string | null; title: string; params: Record<string, string>; adHoc: boolean },
    chosen: { id: string; name: string }[],
    root: boolean,
  ) {
    const run = await d.db.transaction(async (tx) => {
      const r = await runs.insertRun(
        tx,
        {
          commandId: spec.commandId,
          title: spec.title,
          params: spec.params,
          adHoc: spec.adHoc,
          status: 'running',
          summary: summarise(chosen.map(() => 'queued')),
          startedBy: actor.userId,
          startedByName: actor.name,
        },
        chosen.map((n) => ({ nodeId: n.id, nodeName: n.name })),
      );
      annotateAudit({
        target: { type: 'fleet-run', id: r.id, name: spec.title },
        details: { nodes: chosen.map((n) => n.name), root },
      });
      return r;
    });
    try {
      await d.jobs.enqueue(queue, 'run', { runId: run.id }, { jobId: run.id });
    } catch (err) {
      await runs.endOpenRunNodes(run.id, 'failed', 'could not queue the run');
      await runs.updateRun(run.id, {
        status: 'failed',
        finishedAt: new Date(),
        summary: summarise(chosen.map(() => 'failed')),
      });
      throw err;
    }
    await publishRun(run);
    return { runId: run.id };
  }

  return {
    /** Starts the worker in this process (the core; not the CLI). */
    startWorker() {
      d.jobs.process(
        queue,
        async (job) => {
          await execute((job.data as { runId: string }).runId);
        },
        { concurrency: 4 },
      );
    },

    commands: () => runs.commands(),

    async createCommand(actor: UserActor, input: CommandInput) {
      checkCommand(input);
      if (await runs.commandByName(input.name))
        throw new ConflictError(`A command named ${input.name} exists already.`);
      return d.db.transaction(async (tx) => {
        const row = await runs.insertCommand(tx, { ...input, createdBy: actor.userId });
        annotateAudit({
          target: { type: 'command', id: row.id, name: row.name },
          details: { template: input.template },
        });
        return row;
      });
    },

    async updateCommand(id: string, input: CommandInput) {
      checkCommand(input);
      const same = await runs.commandByName(input.name);
      if (same && same.id !== id) throw new ConflictError(`A command named ${input.name} exists already.`);
      const row = await d.db.transaction(async (tx) => {
        const r = await runs.updateCommand(tx, id, input);
        annotateAudit({ target: { type: 'command', id, name: input.name }, details: { template: input.template } });
        return r;
      });
      if (!row) throw new NotFoundError('No such command.');
      return row;
    },

    async removeCommand(id: string) {
      const ok = await d.db.transaction(async (tx) => {
        annotateAudit({ target: { type: 'command', id, name: null } });
        return runs.removeCommand(tx, id);
      });
      if (!ok) throw new NotFoundError('No such command.');
      return { ok: true as const };
    },

    async start(
      actor: UserActor,
      input: { commandId: string; params: Record<string, string>; targets: { nodeIds: string[]; labels: string[] } },
    ) {
      const cmd = await runs.command(input.commandId);
      if (!cmd) throw new NotFoundError('No such command.');
      refuseBadCommand(() => renderTemplate(cmd.template, cmd.params, input.params));
      const chosen = await targetsFor(actor, 'nodes:exec', input.targets);
      return launch(
        actor,
        { commandId: cmd.id, title: cmd.name, params: input.params, adHoc: false },
        chosen,
        cmd.root,
      );
    },

    async startAdHoc(
      actor: UserActor,
      input: {
        command: string;
        root: boolean;
        timeoutSeconds: number;
        targets: { nodeIds: string[]; labels: string[] };
      },
    ) {
      refuseBadCommand(() => adminShell(input.command));
      const chosen = await targetsFor(actor, 'nodes:shell', input.targets);
      const title = input.command.length > 120 ? `${input.command.slice(0, 119)}…` : input.command;
      const params = { command: input.command, root: String(input.root), timeout: String(input.timeoutSeconds) };
      return launch(actor, { commandId: null, title, params, adHoc: true }, chosen, input.root);
    },

    async list(limit: number, offset: number) {
      const r = await runs.runs(limit, offset);
      return {
        total: r.total,
        items: r.items.map((x) => ({
          ...x,
          startedAt: x.startedAt.toISOString(),
          finishedAt: x.finishedAt?.toISOString() ?? null,
        })),
      };
    },

    async get(actor: Actor, runId: string) {
      const run = await runs.run(runId);
      if (!run) throw new NotFoundError('No such run.');
      const nodes = await runs.runNodes(runId);
      const all = await d.nodeRepo.all();
      const visible = nodes.filter((n) => {
        const node = all.find((x) => x.id === n.nodeId);
        return !node || can(actor, 'nodes:exec', { nodeId: node.id, labels: node.labels });
      });
      return {
        ...run,
        startedAt: run.startedAt.toISOString(),
        finishedAt: run.finishedAt?.toISOString() ?? null,
        nodes: visible.map((n) => ({
          ...n,
          startedAt: n.startedAt?.toISOString() ?? null,
          finishedAt: n.finishedAt?.toISOString() ?? null,
        })),
      };
    },

    async cancel(runId: string) {
      const run = await runs.run(runId);
      if (!run) throw new NotFoundError('No such run.');
      annotateAudit({ target: { type: 'fleet-run', id: runId, name: run.title } });
      if (run.status !== 'running') throw new ConflictError('The run has finished already.');
      await events.publish('runs.cancel', { runId });
      return { ok: true as const };
    },
  };
}
export type RunService = ReturnType<typeof createRunService>;
