import { z } from 'zod';
import type { Permission } from '../../modules/access/permissions.js';

// One registry of event topics: payload schema and who may see it. Publishers and the
// dashboard share it. `permission: null` marks an internal topic never sent to a browser.

const actorRef = z.object({ id: z.string(), name: z.string(), email: z.string() });
/** Events about one node carry it this way; the stream filters them by node scope. */
const nodeRef = z.object({ id: z.string(), name: z.string(), labels: z.array(z.string()) });
const nodeStatus = z.enum(['pending', 'online', 'degraded', 'offline', 'quarantined']);

export const topics = {
  'auth.signedIn': { permission: 'activity:read', payload: z.object({ user: actorRef, ip: z.string().nullable() }) },
  'auth.signInFailed': {
    permission: 'activity:read',
    payload: z.object({
      email: z.string(),
      ip: z.string().nullable(),
      reason: z.enum(['credentials', 'rate-limited']),
    }),
  },
  'auth.signedOut': {
    permission: 'activity:read',
    // others: the user ended sessions other than the one they used; count: how many
    payload: z.object({ user: actorRef, others: z.boolean(), count: z.number().int().optional() }),
  },
  'auth.passwordChanged': { permission: 'activity:read', payload: z.object({ user: actorRef }) },
  'users.created': {
    permission: 'activity:read',
    payload: z.object({ user: actorRef, role: z.string(), via: z.enum(['setup', 'cli', 'invite']) }),
  },
  'users.invited': {
    permission: 'users:manage',
    payload: z.object({ email: z.string(), role: z.string(), by: actorRef }),
  },
  'users.changed': {
    permission: 'activity:read',
    payload: z.object({
      user: actorRef,
      change: z.enum(['role', 'disabled', 'enabled', 'signedOut']),
      role: z.string().optional(),
      by: actorRef,
    }),
  },
  'audit.appended': {
    permission: 'audit:read',
    payload: z.object({
      seq: z.number(),
      at: z.string(),
      actor: z.object({
        type: z.enum(['user', 'guest', 'token', 'system', 'anonymous']),
        id: z.string().nullable(),
        name: z.string(),
      }),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      action: z.string(),
      target: z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullable() }).nullable(),
      outcome: z.enum(['success', 'failure', 'denied']),
      details: z.record(z.string(), z.unknown()).nullable(),
      requestId: z.string().nullable(),
    }),
  },
  'audit.checkpointed': { permission: 'audit:read', payload: z.object({ seq: z.number(), at: z.string() }) },
  'nodes.changed': {
    permission: 'nodes:read',
    payload: z.object({
      node: nodeRef,
      change: z.enum(['added', 'updated', 'removed', 'hostKeyTrusted', 'facts']),
      by: z.string().nullable(),
    }),
  },
  'nodes.health': {
    permission: 'nodes:read',
    payload: z.object({
      node: nodeRef,
      status: nodeStatus,
      statusReason: z.string().nullable(),
      rttMs: z.number().nullable(),
      lastSeenAt: z.string().nullable(),
    }),
  },
  /** A node presented a host key that is not pinned: first contact, or a mismatch (quarantined). */
  'nodes.hostKey': {
    permission: 'nodes:read',
    payload: z.object({ node: nodeRef, reason: z.enum(['unknown', 'mismatch']), fingerprint: z.string() }),
  },
  'runs.changed': {
    permission: 'nodes:exec',
    payload: z.object({
      runId: z.string(),
      title: z.string(),
      status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
      summary: z.object({ total: z.number(), succeeded: z.number(), failed: z.number(), running: z.number() }),
      by: z.string(),
    }),
  },
  'runs.node': {
    permission: 'nodes:exec',
    payload: z.object({
      runId: z.string(),
      node: nodeRef,
      status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
      exitCode: z.number().nullable(),
      error: z.string().nullable(),
    }),
  },
  /** A node's output during a fleet run, in order, batched about every 100 ms. */
  'runs.output': {
    permission: 'nodes:exec',
    payload: z.object({ runId: z.string(), node: nodeRef, stream: z.enum(['stdout', 'stderr']), text: z.string() }),
  },
  /** Tells the process running a fleet run to stop it. */
  'runs.cancel': { permission: null, payload: z.object({ runId: z.string() }) },
  /** A systemd unit was started, stopped, restarted, reloaded, enabled or disabled. */
  'services.changed': {
    permission: 'services:read',
    payload: z.object({
      node: nodeRef,
      unit: z.string(),
      action: z.enum(['start', 'stop', 'restart', 'reload', 'enable', 'disable']),
      by: z.string(),
    }),
  },
  /**
   * New lines of a journal one session follows (services.follow), batched; only that
   * session's stream receives them. `ended` says the follow stopped, and why.
   */
  'services.journal': {
    permission: 'services:read',
    payload: z.object({
      followId: z.string(),
      node: nodeRef,
      unit: z.string(),
      lines: z.array(z.string()),
      forSession: z.string(),
      ended: z
        .object({
          reason: z.enum(['unfollowed', 'idle', 'signed-out', 'exited', 'failed', 'shutdown']),
          message: z.string().optional(),
        })
        .optional(),
    }),
  },
  /** Tells the process running a journal follow to stop it now. */
  'services.unfollow': {
    permission: null,
    payload: z.object({ followId: z.string(), reason: z.enum(['unfollowed', 'idle', 'signed-out']) }),
  },
  /**
   * Progress of one file transfer (PUT/GET /api/nodes/:id/files), at most every ~250 ms and
   * once with `done`; only the session that started it receives them.
   */
  'files.progress': {
    permission: 'files:read',
    payload: z.object({
      node: nodeRef,
      transferId: z.string(),
      direction: z.enum(['upload', 'download']),
      path: z.string(),
      bytes: z.number().int(),
      total: z.number().int(),
      done: z.boolean(),
      error: z.string().optional(),
      forSession: z.string(),
    }),
  },
  /** Tells every core process to forget cached copies of these sessions (they stay valid). */
  'sessions.refresh': { permission: null, payload: z.object({ sessionIds: z.array(z.string()) }) },
  /** Tells every core process to close the streams of these sessions at once. */
  'sessions.revoked': {
    permission: null,
    payload: z.object({ sessionIds: z.array(z.string()) }),
  },
} as const satisfies Record<string, { permission: Permission | null; payload: z.ZodType }>;

export type Topic = keyof typeof topics;
export type TopicPayload<T extends Topic> = z.infer<(typeof topics)[T]['payload']>;

/** An event as stored in the stream and delivered to subscribers. */
export type BusEvent = {
  [T in Topic]: { id: string; topic: T; at: string; data: TopicPayload<T> };
}[Topic];

export const publicTopics = (Object.keys(topics) as Topic[]).filter((t) => topics[t].permission !== null);
