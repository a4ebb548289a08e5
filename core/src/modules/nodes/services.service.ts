import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { annotateAudit } from '../../platform/audit-context.js';
import type { EventBus } from '../../platform/events/bus.js';
import type { TopicPayload } from '../../platform/events/topics.js';
import type { Logger } from '../../platform/logger.js';
import type { Redis } from '../../platform/redis.js';
import { operands, type RemoteCommand, run } from '../../ssh/command.js';
import type { ExecOptions } from '../../ssh/pool.js';
import { isSshError } from '../../ssh/ssh-error.js';
import { type Actor, actorRef, sessionKeyOf } from '../access/permissions.js';
import type { NodeRow } from './nodes.repository.js';
import type { NodeService } from './nodes.service.js';
import {
  lineSplitter,
  numberOf,
  parseListUnits,
  parseShow,
  parseUnitFiles,
  statusProperties,
  unitNameProblem,
} from './services-parsers.js';

// systemd units on a node: list, status, actions (root, audited) and live journal follows.
// A follow is one `journalctl -f` on a pooled channel, started by hangup so closing the
// channel kills it on the node; its lines travel as bus events to the follower's session
// only. Follows are leases in Redis (any core process can renew or end them): the process
// running one stops it when the lease lapses (no heartbeat), on unfollow, or when the
// owner's session is revoked.

export const unitActions = ['start', 'stop', 'restart', 'reload', 'enable', 'disable'] as const;
export type UnitAction = (typeof unitActions)[number];
export const activeStates = ['active', 'inactive', 'failed', 'activating', 'deactivating', 'reloading'] as const;

export interface FollowLimits {
  /** Follows one session may hold at once (across core processes). */
  perSession: number;
  /** Follows this process runs on one node (each holds an SSH channel). */
  perNode: number;
  /** A follow without a heartbeat for this long stops. */
  idleMs: number;
  linesPerSecond: number;
  batchMs: number;
  batchLines: number;
}
const defaultLimits: FollowLimits = {
  perSession: 4,
  perNode: 6,
  idleMs: 30_000,
  linesPerSecond: 500,
  batchMs: 200,
  batchLines: 200,
};
const followLifeMs = 12 * 3600_000;

type EndReason = NonNullable<TopicPayload<'services.journal'>['ended']>['reason'];
interface Follow {
  id: string;
  session: string;
  node: NodeRow;
  unit: string;
  abort: AbortController;
  ended: boolean;
  lease: NodeJS.Timeout;
  /** Publishes the lines still batched (so they come before the `ended` event). */
  drain?: () => void;
}

const listUnits = run('systemctl', 'list-units', '--type=service', '--all', '--no-legend', '--no-pager', '--plain');
const listUnitFiles = run('systemctl', 'list-unit-files', '--type=service', '--no-legend', '--no-pager');
const show = (unit: string) =>
  run('systemctl', 'show', '--no-pager', `--property=${statusProperties.join(',')}`, operands(unit));
const journal = (unit: string, lines: number, follow: boolean) =>
  run('journalctl', '-u', unit, ...(follow ? ['-f'] : []), '-n', lines, '-o', 'short-iso', '--no-pager');

export function createServicesService(d: {
  nodes: Pick<NodeService, 'pool' | 'authorise' | 'ref'>;
  events: EventBus;
  redis: Redis;
  log: Logger;
  limits?: Partial<FollowLimits>;
}) {
  const limits = { ...defaultLimits, ...d.limits };
  const { pool } = d.nodes;
  const local = new Map<string, Follow>();
  const leaseKey = (id: string) => `serverbox:follow:${id}`;
  const sessionKey = (s: string) => `serverbox:follows:${s}`;

  d.events.on('services.unfollow', ({ followId, reason }) => {
    const f = local.get(followId);
    if (f) void end(f, reason);
  });
  d.events.on('sessions.revoked', ({ sessionIds }) => {
    for (const f of [...local.values()]) if (sessionIds.includes(f.session)) void end(f, 'signed-out');
  });

  function checkUnit(unit: string) {
    const problem = unitNameProblem(unit);
    if (problem) throw new ValidationError(problem, { field: 'unit' });
  }

  async function exec(n: NodeRow, command: RemoteCommand, opts: ExecOptions = {}) {
    const r = await pool.exec(n.id, command, { timeoutMs: 30_000, maxOutputBytes: 4 * 1024 * 1024, ...opts });
    if (r.code === 127 || /not been booted with systemd|Failed to connect to bus/.test(r.stderr))
      throw new ConflictError(`${n.name} does not run systemd.`);
    return r;
  }

  /** The unit's properties; NOT_FOUND when systemd knows no such unit. */
  async function properties(n: NodeRow, unit: string, opts: ExecOptions = {}) {
    const r = await exec(n, show(unit), opts);
    const p = parseShow(r.stdout);
    if (r.code !== 0 || !p.LoadState)
      throw new ConflictError(`systemctl show failed on ${n.name}: ${firstLine(r.stderr)}`);
    if (p.LoadState === 'not-found') throw new NotFoundError(`${n.name} has no unit ${unit}.`);
    return p;
  }

  function view(unit: string, p: Awaited<ReturnType<typeof properties>>) {
    return {
      unit,
      description: p.Description ?? '',
      loadState: p.LoadState ?? '',
      activeState: p.ActiveState ?? '',
      subState: p.SubState ?? '',
      unitFileState: p.UnitFileState ?? '',
      fragmentPath: p.FragmentPath ?? '',
      mainPid: numberOf(p.MainPID) || null,
      execMainStartTimestamp: p.ExecMainStartTimestamp || null,
      activeEnterTimestamp: p.ActiveEnterTimestamp || null,
      memoryBytes: numberOf(p.MemoryCurrent),
      restarts: numberOf(p.NRestarts),
      canReload: p.CanReload === 'yes',
      properties: p,
    };
  }

  // ---------- follows ----------

  async function publishLines(f: Follow, lines: string[], ended?: { reason: EndReason; message?: string }) {
    if (lines.length === 0 && !ended) return;
    await d.events
      .publish('services.journal', {
        followId: f.id,
        node: d.nodes.ref(f.node),
        unit: f.unit,
        lines,
        forSession: f.session,
        ...(ended ? { ended } : {}),
      })
      .catch((err) => d.log.warn({ err, followId: f.id }, 'could not publish journal lines'));
  }

  async function end(f: Follow, reason: EndReason, message?: string) {
    if (f.ended) return;
    f.drain?.();
    f.ended = true;
    clearInterval(f.lease);
    local.delete(f.id);
    f.abort.abort(); // closes the channel: the node's journalctl gets a hangup
    await d.redis
      .multi()
      .del(leaseKey(f.id))
      .zrem(sessionKey(f.session), f.id)
      .exec()
      .catch(() => {});
    await publishLines(f, [], { reason, ...(message ? { message } : {}) });
  }

  function stream(f: Follow, lines: number) {
    const split = lineSplitter();
    let pending: string[] = [];
    let skipped = 0;
    let windowStart = Date.now();
    let inWindow = 0;
    let timer: NodeJS.Timeout | null = null;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      const batch = pending;
      if (skipped > 0) batch.push(`[serverbox] ${skipped} lines skipped (over ${limits.linesPerSecond} lines/s)`);
      pending = [];
      skipped = 0;
      void publishLines(f, batch);
    };
    f.drain = flush;
    const take = (text: string) => {
      if (f.ended) return;
      for (const line of split.push(text)) {
        const now = Date.now();
        if (now - windowStart >= 1000) {
          windowStart = now;
          inWindow = 0;
        }
        if (++inWindow > limits.linesPerSecond) skipped++;
        else pending.push(line);
      }
      if (pending.length >= limits.batchLines) flush();
      else if (pending.length > 0 || skipped > 0) timer ??= setTimeout(flush, limits.batchMs);
    };
    pool
      .exec(f.node.id, journal(f.unit, lines, true), {
        root: true,
        hangup: true,
        signal: f.abort.signal,
        timeoutMs: followLifeMs,
        // Lines only stream to the follower; the pool keeps none of them.
        keepStdout: false,
        onStdout: (c) => take(c.toString('utf8')),
      })
      .then(
        (r) => {
          if (f.ended) return;
          pending.push(...split.flush());
          flush();
          void end(
            f,
            'exited',
            `journalctl ended with exit code ${r.code}${r.stderr ? `: ${firstLine(r.stderr)}` : ''}`,
          );
        },
        (err) => {
          if (f.ended) return;
          flush();
          void end(f, 'failed', (err as Error).message);
        },
      );
  }

  return {
    async list(
      actor: Actor,
      q: { nodeId: string; search?: string; state?: (typeof activeStates)[number]; limit: number; offset: number },
    ) {
      const n = await d.nodes.authorise(actor, q.nodeId, 'services:read');
      const [units, files] = await Promise.all([exec(n, listUnits), exec(n, listUnitFiles)]);
      if (units.code !== 0)
        throw new ConflictError(`systemctl list-units failed on ${n.name}: ${firstLine(units.stderr)}`);
      const enablement = parseUnitFiles(files.stdout);
      const rows = parseListUnits(units.stdout).map((u) => ({ ...u, enablement: enablement.get(u.unit) ?? null }));
      // Unit files systemd has not loaded (disabled, never started) are units too; templates are not.
      const loaded = new Set(rows.map((r) => r.unit));
      for (const [unit, state] of enablement)
        if (!loaded.has(unit) && !unit.endsWith('@.service'))
          rows.push({ unit, load: 'not-loaded', active: 'inactive', sub: 'dead', description: '', enablement: state });
      const term = q.search?.trim().toLowerCase();
      const matching = rows
        .filter(
          (r) =>
            (!q.state || r.active === q.state) &&
            (!term || r.unit.toLowerCase().includes(term) || r.description.toLowerCase().includes(term)),
        )
        .sort((a, b) => a.unit.localeCompare(b.unit));
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.active] = (counts[r.active] ?? 0) + 1;
      return {
        node: d.nodes.ref(n),
        total: matching.length,
        counts,
        items: matching.slice(q.offset, q.offset + q.limit),
      };
    },

    async status(actor: Actor, q: { nodeId: string; unit: string; lines: number }) {
      const n = await d.nodes.authorise(actor, q.nodeId, 'services:read');
      checkUnit(q.unit);
      const [p, log] = await Promise.all([
        properties(n, q.unit),
        // Other units' journals need root (or the adm group); without sudo the status still shows.
        exec(n, journal(q.unit, q.lines, false), { root: true }).then(
          (r) => ({
            lines: r.stdout
              .split('\n')
              .filter(Boolean)
              .map((l) => l.slice(0, 2000)),
            error: null,
          }),
          (err) => {
            if (isSshError(err, 'sudo-required')) return { lines: [] as string[], error: err.message };
            throw err;
          },
        ),
      ]);
      return { node: d.nodes.ref(n), ...view(q.unit, p), journal: log };
    },

    async action(actor: Actor, q: { nodeId: string; unit: string; action: UnitAction }) {
      const n = await d.nodes.authorise(actor, q.nodeId, 'services:write');
      annotateAudit({ target: { type: 'node', id: n.id, name: n.name }, details: { unit: q.unit, action: q.action } });
      checkUnit(q.unit);
      await properties(n, q.unit);
      const r = await exec(n, run('systemctl', q.action, operands(q.unit)), { root: true, timeoutMs: 120_000 });
      if (r.code !== 0)
        throw new ConflictError(`systemctl ${q.action} ${q.unit} failed on ${n.name}: ${firstLine(r.stderr)}`, {
          exitCode: r.code,
        });
      await d.events.publish('services.changed', {
        node: d.nodes.ref(n),
        unit: q.unit,
        action: q.action,
        by: actorRef(actor).name,
      });
      return { node: d.nodes.ref(n), ...view(q.unit, await properties(n, q.unit)) };
    },

    /** Starts following a unit's journal for the caller's session; lines arrive as services.journal events. */
    async follow(actor: Actor, q: { nodeId: string; unit: string; lines: number }) {
      const n = await d.nodes.authorise(actor, q.nodeId, 'services:read');
      annotateAudit({ target: { type: 'node', id: n.id, name: n.name }, details: { unit: q.unit } });
      checkUnit(q.unit);
      if ([...local.values()].filter((f) => f.node.id === n.id).length >= limits.perNode)
        throw new ConflictError(`Too many journals are followed on ${n.name} already; try again later.`);
      // As root, like the follow itself: a missing sudo right fails here, clearly, not later.
      await properties(n, q.unit, { root: true });
      const session = sessionKeyOf(actor);
      const id = randomUUID();
      const now = Date.now();
      const held = await d.redis
        .multi()
        .zremrangebyscore(sessionKey(session), '-inf', now)
        .zadd(sessionKey(session), now + limits.idleMs, id)
        .zcard(sessionKey(session))
        .pexpire(sessionKey(session), limits.idleMs * 2)
        .set(leaseKey(id), session, 'PX', limits.idleMs)
        .exec();
      if (Number(held?.[2]?.[1] ?? 0) > limits.perSession) {
        await d.redis.multi().zrem(sessionKey(session), id).del(leaseKey(id)).exec();
        throw new ConflictError(`You follow ${limits.perSession} journals already: stop one first.`);
      }
      const f: Follow = {
        id,
        session,
        node: n,
        unit: q.unit,
        abort: new AbortController(),
        ended: false,
        // The lease lapses without heartbeats (services.keepFollowing), from whichever process.
        lease: setInterval(
          () => {
            d.redis
              .exists(leaseKey(id))
              .then((alive) => {
                if (!alive) void end(f, 'idle');
              })
              .catch(() => {}); // Redis away: keep going, the next check decides
          },
          Math.min(5000, Math.max(250, limits.idleMs / 4)),
        ),
      };
      f.lease.unref();
      local.set(id, f);
      stream(f, q.lines);
      return { followId: id, node: d.nodes.ref(n), unit: q.unit, heartbeatSeconds: Math.ceil(limits.idleMs / 3000) };
    },

    /** Renews a follow's lease; NOT_FOUND once it has stopped (or if it is another session's). */
    async keepFollowing(actor: Actor, followId: string) {
      const session = sessionKeyOf(actor);
      const owner = await d.redis.get(leaseKey(followId));
      if (owner !== session) throw new NotFoundError('That journal follow has stopped; start it again.');
      await d.redis
        .multi()
        .pexpire(leaseKey(followId), limits.idleMs)
        .zadd(sessionKey(session), Date.now() + limits.idleMs, followId)
        .pexpire(sessionKey(session), limits.idleMs * 2)
        .exec();
      return { ok: true as const };
    },

    async unfollow(actor: Actor, followId: string) {
      const session = sessionKeyOf(actor);
      const owner = await d.redis.get(leaseKey(followId));
      if (owner !== null && owner !== session) throw new NotFoundError('No such journal follow.');
      const f = local.get(followId);
      if (f && f.session !== session) throw new NotFoundError('No such journal follow.');
      if (f) await end(f, 'unfollowed');
      else if (owner !== null) {
        await d.redis.multi().del(leaseKey(followId)).zrem(sessionKey(session), followId).exec();
        await d.events.publish('services.unfollow', { followId, reason: 'unfollowed' });
      }
      return { ok: true as const, wasFollowing: owner !== null || f !== undefined };
    },

    /** Follows running in this process (for health and tests). */
    following: () => local.size,

    /** Stops this process's follows (shutdown). */
    async stop() {
      await Promise.all([...local.values()].map((f) => end(f, 'shutdown')));
    },
  };
}
export type ServicesService = ReturnType<typeof createServicesService>;

const firstLine = (s: string) => (s.trim().split('\n')[0] ?? '').slice(0, 300);
