import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import ssh2 from 'ssh2';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { type AuditScope, annotateAudit } from '../../platform/audit-context.js';
import type { Database } from '../../platform/db/client.js';
import type { EventBus } from '../../platform/events/bus.js';
import type { Logger } from '../../platform/logger.js';
import type { Vault } from '../../platform/vault.js';
import { script } from '../../ssh/command.js';
import { normaliseFingerprint } from '../../ssh/host-key.js';
import { type ConnectTarget, type NodePoolStats, type PoolOptions, SshPool } from '../../ssh/pool.js';
import { isSshError, SshError } from '../../ssh/ssh-error.js';
import { type Actor, can, type NodeTarget, type Permission } from '../access/permissions.js';
import type { AuditService } from '../audit/audit.service.js';
import { gatherFacts, parseFacts } from './node-facts.js';
import type { NodeRepository, NodeRow } from './nodes.repository.js';
import type { NodeStatus } from './nodes.tables.js';

// The node registry: nodes, their SSH keys (sealed at rest, never returned), host-key
// pinning, facts and live health. It owns the SSH pool every other module runs through.

export const nodeNamePattern = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const labelPattern = /^[a-z0-9][a-z0-9._:-]{0,62}$/;
const hostnamePattern =
  /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const userPattern = /^[a-z_][a-z0-9_-]{0,31}$/;

export type Credential =
  | { kind: 'generate' } // a key pair for this node
  | { kind: 'fleet' } // the fleet's key pair (created on first use)
  | { kind: 'upload'; privateKey: string; passphrase?: string };

export interface NodeInput {
  name: string;
  host: string;
  port: number;
  username: string;
  labels: string[];
  jumpNodeId?: string | null;
  notes?: string;
  maxSessions?: number;
  hostKeyFingerprint?: string | null;
}

// ssh2 is CommonJS: Node's ESM loader only sees its default export.
const sshUtils = ssh2.utils;
const systemActor = { type: 'system' as const, id: null, name: 'serverbox' };

export function createNodeService(d: {
  db: Database;
  repo: NodeRepository;
  vault: Vault;
  events: EventBus;
  audit: Pick<AuditService, 'record'>;
  log: Logger;
  healthSeconds: number;
  pool?: Omit<PoolOptions, 'resolve' | 'onHostKey' | 'onStateChange'>;
}) {
  const { repo, vault, events, log } = d;
  const sealContext = (keyId: string, part: 'private' | 'passphrase') => `ssh_keys:${keyId}:${part}`;
  const ref = (n: Pick<NodeRow, 'id' | 'name' | 'labels'>) => ({ id: n.id, name: n.name, labels: n.labels });
  const targetOf = (n: Pick<NodeRow, 'id' | 'labels'>): NodeTarget => ({ nodeId: n.id, labels: n.labels });

  /** Consecutive failed health checks per node: one makes it degraded, two offline. */
  const misses = new Map<string, number>();

  const pool = new SshPool({
    ...d.pool,
    async resolve(nodeId): Promise<ConnectTarget> {
      const n = await repo.byId(nodeId);
      if (!n) throw new SshError('unreachable', 'the node no longer exists');
      if (n.status === 'quarantined')
        throw new SshError(
          'host-key-mismatch',
          `${n.name} is quarantined: its host key changed; an admin must review it`,
        );
      const key = await repo.keyById(n.keyId);
      if (!key) throw new SshError('auth-failed', `${n.name} has no SSH key`);
      return {
        nodeId: n.id,
        name: n.name,
        host: n.host,
        port: n.port,
        username: n.username,
        privateKey: vault.open(key.privateKeyEnc, sealContext(key.id, 'private')),
        passphrase: key.passphraseEnc ? vault.open(key.passphraseEnc, sealContext(key.id, 'passphrase')) : undefined,
        pinnedFingerprint: n.hostKeyFingerprint,
        maxChannels: n.maxSessions,
        jumpNodeId: n.jumpNodeId,
      };
    },
    onHostKey(nodeId, decision) {
      void hostKeyRefused(nodeId, decision).catch((err) =>
        log.error({ err, nodeId }, 'could not record a refused host key'),
      );
    },
  });

  async function hostKeyRefused(
    nodeId: string,
    k: { reason: 'unknown' | 'mismatch'; fingerprint: string; keyType: string; publicKey: string },
  ) {
    const offered = { ...k, seenAt: new Date().toISOString() };
    const before = await repo.byId(nodeId);
    if (!before) return;
    if (
      before.offeredHostKey?.fingerprint === k.fingerprint &&
      before.status === (k.reason === 'mismatch' ? 'quarantined' : 'pending')
    )
      return; // already known and reported
    const row =
      k.reason === 'mismatch'
        ? await repo.setOfferedHostKey(nodeId, offered, 'quarantined', `host key changed to ${k.fingerprint}`)
        : await repo.setOfferedHostKey(nodeId, offered, 'pending', 'waiting for an admin to confirm the host key');
    if (!row) return;
    if (k.reason === 'mismatch') {
      log.warn({ node: row.name, fingerprint: k.fingerprint }, 'host key mismatch: node quarantined');
      await d.audit.record(
        systemScope('nodes.hostKeyMismatch', row, { presented: k.fingerprint, pinned: before.hostKeyFingerprint }),
        'denied',
      );
    }
    await events.publish('nodes.hostKey', { node: ref(row), reason: k.reason, fingerprint: k.fingerprint });
    await publishHealth(row);
  }

  function systemScope(action: string, n: NodeRow, details: Record<string, unknown>): AuditScope {
    return {
      action,
      actor: systemActor,
      ip: null,
      userAgent: null,
      requestId: null,
      target: { type: 'node', id: n.id, name: n.name },
      details,
      recorded: false,
      afterCommit: [],
    };
  }

  /** What each node's last health event said, so routine checks publish only what changed. */
  const lastHealth = new Map<string, { status: string; reason: string | null; rtt: number | null; at: number }>();

  /**
   * Publishes a node's health. Routine checks (`routine`) stay quiet unless the status or
   * reason changed, the RTT moved by a quarter, or a minute passed: a large fleet must not
   * flood the event stream that also carries everyone's activity.
   */
  async function publishHealth(n: NodeRow, routine = false) {
    const last = lastHealth.get(n.id);
    const now = Date.now();
    if (
      routine &&
      last &&
      last.status === n.status &&
      last.reason === n.statusReason &&
      now - last.at < 60_000 &&
      Math.abs((n.rttMs ?? 0) - (last.rtt ?? 0)) <= 0.25 * Math.max(last.rtt ?? 0, 1)
    )
      return;
    lastHealth.set(n.id, { status: n.status, reason: n.statusReason, rtt: n.rttMs, at: now });
    await events.publish('nodes.health', {
      node: ref(n),
      status: n.status,
      statusReason: n.statusReason,
      rttMs: n.rttMs,
      lastSeenAt: n.lastSeenAt?.toISOString() ?? null,
    });
  }

  /** The node if the actor may see it with `permission`; otherwise NOT_FOUND (no existence leak). */
  async function visible(actor: Actor, id: string, permission: Permission = 'nodes:read'): Promise<NodeRow> {
    const n = await repo.byId(id);
    if (!n || !can(actor, 'nodes:read', targetOf(n))) throw new NotFoundError('No such node.');
    if (!can(actor, permission, targetOf(n))) throw new NotFoundError('No such node.');
    return n;
  }

  function view(n: NodeRow) {
    return {
      id: n.id,
      name: n.name,
      host: n.host,
      port: n.port,
      username: n.username,
      labels: n.labels,
      jumpNodeId: n.jumpNodeId,
      notes: n.notes,
      maxSessions: n.maxSessions,
      status: n.status,
      statusReason: n.statusReason,
      hostKeyFingerprint: n.hostKeyFingerprint,
      offeredHostKey: n.offeredHostKey,
      facts: n.facts,
      factsAt: n.factsAt?.toISOString() ?? null,
      lastSeenAt: n.lastSeenAt?.toISOString() ?? null,
      rttMs: n.rttMs,
      createdAt: n.createdAt.toISOString(),
    };
  }

  async function checkInput(input: NodeInput, selfId?: string) {
    const problems: string[] = [];
    if (!nodeNamePattern.test(input.name))
      problems.push('Name: lowercase letters, digits, ".", "_" and "-", starting with a letter or digit (max 63).');
    if (!(isIP(input.host) || hostnamePattern.test(input.host))) problems.push('Host: an IP address or a hostname.');
    if (!userPattern.test(input.username)) problems.push('SSH user: a plain Unix user name.');
    for (const l of input.labels)
      if (!labelPattern.test(l)) problems.push(`Label "${l}": lowercase letters, digits, ".", "_", ":" and "-".`);
    if (input.hostKeyFingerprint && !normaliseFingerprint(input.hostKeyFingerprint))
      problems.push('Host key fingerprint: SHA256:… as `ssh-keygen -lf` prints it.');
    if (problems.length) throw new ValidationError(problems.join(' '), { problems });
    const same = await repo.byName(input.name);
    if (same && same.id !== selfId) throw new ConflictError(`A node named ${input.name} exists already.`);
    if (input.jumpNodeId) {
      if (input.jumpNodeId === selfId) throw new ValidationError('A node cannot be its own jump host.');
      const jump = await repo.byId(input.jumpNodeId);
      if (!jump) throw new ValidationError('The jump host does not exist.');
      if (jump.jumpNodeId)
        throw new ValidationError('The jump host is itself reached through a jump host; chains are not supported.');
    }
  }

  /** The columns an admin sets when adding or editing a node. */
  const editable = (input: NodeInput, defaultMaxSessions: number) => ({
    name: input.name,
    host: input.host,
    port: input.port,
    username: input.username,
    labels: [...new Set(input.labels)].sort(),
    jumpNodeId: input.jumpNodeId ?? null,
    notes: input.notes ?? '',
    maxSessions: input.maxSessions ?? defaultMaxSessions,
  });

  function parsePrivateKey(privateKey: string, passphrase?: string) {
    if (privateKey.length > 16_384) throw new ValidationError('That private key is too large.');
    const parsed = sshUtils.parseKey(privateKey, passphrase);
    if (parsed instanceof Error) {
      const encrypted = /encrypted|passphrase/i.test(parsed.message);
      throw new ValidationError(
        encrypted
          ? 'The private key is encrypted: give its passphrase (or the right one).'
          : 'That is not a private key ssh can use.',
      );
    }
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key?.isPrivateKey()) throw new ValidationError('That is a public key; upload the private key.');
    return `${key.type} ${key.getPublicSSH().toString('base64')}`;
  }

  async function newKey(tx: Database, scope: 'node' | 'fleet', name: string, credential: Credential) {
    const id = randomUUID();
    let privateKey: string;
    let publicKey: string;
    let passphrase: string | undefined;
    if (credential.kind === 'upload') {
      publicKey = parsePrivateKey(credential.privateKey, credential.passphrase);
      privateKey = credential.privateKey;
      passphrase = credential.passphrase || undefined;
    } else {
      const pair = sshUtils.generateKeyPairSync('ed25519', { comment: `serverbox@${name}` });
      privateKey = pair.private;
      publicKey = pair.public.trim();
    }
    return repo.insertKey(tx, {
      id,
      name,
      scope,
      source: credential.kind === 'upload' ? 'uploaded' : 'generated',
      publicKey,
      privateKeyEnc: vault.seal(privateKey, sealContext(id, 'private')),
      passphraseEnc: passphrase ? vault.seal(passphrase, sealContext(id, 'passphrase')) : null,
    });
  }

  /** The one-line command that installs a public key for the node's user. */
  const installKey = script`umask 077; mkdir -p "$HOME/.ssh" && grep -qxF "$1" "$HOME/.ssh/authorized_keys" 2>/dev/null || printf '%s\n' "$1" >> "$HOME/.ssh/authorized_keys"`;
  const installCommandFor = (publicKey: string) => installKey(publicKey).text;

  /** First contact, facts and health, in the background after a change. */
  async function contact(nodeId: string): Promise<void> {
    const n = await repo.byId(nodeId);
    if (!n || n.status === 'quarantined') return;
    try {
      const t0 = performance.now();
      const r = await pool.exec(nodeId, gatherFacts(), { timeoutMs: 20_000 });
      const rtt = Math.round((performance.now() - t0) * 100) / 100;
      if (r.code !== 0) throw new SshError('unreachable', `gathering facts failed with exit code ${r.code}`);
      const facts = parseFacts(r.stdout);
      await repo.setFacts(nodeId, facts);
      misses.delete(nodeId);
      const row = await repo.setHealth(nodeId, {
        status: 'online',
        statusReason:
          facts.sudo === 'missing' ? `${n.username} has no passwordless sudo: commands that need root will fail` : null,
        rttMs: rtt,
        lastSeenAt: new Date(),
      });
      if (row) {
        await events.publish('nodes.changed', { node: ref(row), change: 'facts', by: null });
        await publishHealth(row);
      }
    } catch (err) {
      await noteFailure(nodeId, err);
    }
  }

  async function noteFailure(nodeId: string, err: unknown) {
    if (isSshError(err, 'host-key-unknown') || isSshError(err, 'host-key-mismatch')) return; // recorded by onHostKey
    const missed = (misses.get(nodeId) ?? 0) + 1;
    misses.set(nodeId, missed);
    const status: NodeStatus = missed >= 2 ? 'offline' : 'degraded';
    const row = await repo.setHealth(nodeId, { status, statusReason: (err as Error).message.slice(0, 300) });
    if (row) await publishHealth(row);
  }

  async function checkHealth(n: NodeRow) {
    if (n.status === 'pending' || n.status === 'quarantined') return;
    try {
      const rtt = await pool.ping(n.id, 10_000);
      misses.delete(n.id);
      const status: NodeStatus = rtt > 1000 ? 'degraded' : 'online';
      const reason =
        rtt > 1000 ? `slow: ${Math.round(rtt)} ms round trip` : n.facts?.sudo === 'missing' ? n.statusReason : null;
      const row = await repo.setHealth(n.id, {
        status,
        statusReason: reason,
        rttMs: Math.round(rtt * 100) / 100,
        lastSeenAt: new Date(),
      });
      if (row) await publishHealth(row, true);
      if (!n.facts) void contact(n.id);
    } catch (err) {
      await noteFailure(n.id, err);
    }
  }

  let healthTimer: NodeJS.Timeout | null = null;
  let sweeping = false;
  async function sweep() {
    if (sweeping) return;
    sweeping = true;
    try {
      // A bounded number at a time: a large fleet must not open every connection at once.
      const all = await repo.all();
      let next = 0;
      const worker = async () => {
        for (let n = all[next++]; n; n = all[next++]) await checkHealth(n);
      };
      await Promise.all(Array.from({ length: Math.min(16, all.length) }, worker));
    } catch (err) {
      log.warn({ err }, 'node health sweep failed');
    } finally {
      sweeping = false;
    }
  }

  return {
    pool,

    /** Starts the health loop (the core process; not the CLI). */
    start() {
      if (healthTimer) return;
      healthTimer = setInterval(() => void sweep(), d.healthSeconds * 1000);
      healthTimer.unref();
      void sweep();
    },
    async stop() {
      if (healthTimer) clearInterval(healthTimer);
      healthTimer = null;
      await pool.close();
    },
    sweep,

    async list(
      actor: Actor,
      q: { search?: string; status?: NodeStatus; label?: string; limit: number; offset: number },
    ) {
      const term = q.search?.trim().toLowerCase();
      const rows = (await repo.all()).filter(
        (n) =>
          can(actor, 'nodes:read', targetOf(n)) &&
          (!q.status || n.status === q.status) &&
          (!q.label || n.labels.includes(q.label)) &&
          (!term ||
            n.name.includes(term) ||
            n.host.toLowerCase().includes(term) ||
            n.labels.some((l) => l.includes(term)) ||
            (n.facts?.os ?? '').toLowerCase().includes(term)),
      );
      const labels = [...new Set(rows.flatMap((n) => n.labels))].sort();
      return {
        total: rows.length,
        labels,
        items: rows.slice(q.offset, q.offset + q.limit).map(view),
      };
    },

    async get(actor: Actor, id: string) {
      const n = await visible(actor, id);
      return { ...view(n), pool: pool.stats(n.id) };
    },

    poolStats(actor: Actor, id: string): Promise<NodePoolStats> {
      return visible(actor, id).then((n) => pool.stats(n.id));
    },

    async create(actor: Actor & { kind: 'user' }, input: NodeInput & { credential: Credential }) {
      await checkInput(input);
      const pinned = input.hostKeyFingerprint ? normaliseFingerprint(input.hostKeyFingerprint) : null;
      const row = await d.db.transaction(async (tx) => {
        let keyId: string;
        if (input.credential.kind === 'fleet') {
          keyId = ((await repo.fleetKey()) ?? (await newKey(tx, 'fleet', 'fleet', { kind: 'generate' }))).id;
        } else {
          keyId = (await newKey(tx, 'node', input.name, input.credential)).id;
        }
        const n = await repo.insert(tx, {
          ...editable(input, 8),
          keyId,
          hostKeyFingerprint: pinned,
          status: pinned ? 'offline' : 'pending',
          statusReason: pinned ? 'not contacted yet' : 'waiting for the first connection',
          createdBy: actor.userId,
        });
        annotateAudit({
          target: { type: 'node', id: n.id, name: n.name },
          details: { credential: input.credential.kind },
        });
        return n;
      });
      await events.publish('nodes.changed', { node: ref(row), change: 'added', by: actor.name });
      void contact(row.id);
      const key = await repo.keyById(row.keyId);
      return {
        node: view(row),
        publicKey: key?.publicKey ?? null,
        installCommand: key ? installCommandFor(key.publicKey) : null,
      };
    },

    async update(actor: Actor & { kind: 'user' }, id: string, input: NodeInput) {
      const before = await visible(actor, id, 'nodes:write');
      await checkInput(input, id);
      const pinChange =
        input.hostKeyFingerprint !== undefined && input.hostKeyFingerprint !== before.hostKeyFingerprint;
      if (pinChange) throw new ValidationError('Change a pinned host key through “Trust host key”, not by editing.');
      const row = await d.db.transaction(async (tx) => {
        const n = await repo.update(tx, id, editable(input, before.maxSessions));
        annotateAudit({ target: { type: 'node', id, name: input.name } });
        return n;
      });
      if (!row) throw new NotFoundError('No such node.');
      pool.drop(id);
      await events.publish('nodes.changed', { node: ref(row), change: 'updated', by: actor.name });
      void contact(id);
      return view(row);
    },

    async remove(actor: Actor & { kind: 'user' }, id: string) {
      const n = await visible(actor, id, 'nodes:write');
      annotateAudit({ target: { type: 'node', id, name: n.name } });
      const through = await repo.jumpUsers(id);
      if (through.length)
        throw new ConflictError(`${n.name} is the jump host of ${through.join(', ')}: change those first.`);
      await d.db.transaction(async (tx) => {
        await repo.remove(tx, id);
        const key = await repo.keyById(n.keyId);
        if (key?.scope === 'node') await repo.removeKey(tx, key.id);
        annotateAudit({ target: { type: 'node', id, name: n.name } });
      });
      pool.drop(id);
      misses.delete(id);
      lastHealth.delete(id);
      await events.publish('nodes.changed', { node: ref(n), change: 'removed', by: actor.name });
      return { ok: true as const };
    },

    /** Pins the key the node presented (first contact, or a reviewed change after quarantine). */
    async trustHostKey(actor: Actor & { kind: 'user' }, id: string, fingerprint: string) {
      const n = await visible(actor, id, 'nodes:trust');
      annotateAudit({ target: { type: 'node', id, name: n.name } });
      const wanted = normaliseFingerprint(fingerprint);
      if (!wanted) throw new ValidationError('Give the fingerprint as SHA256:…');
      if (!n.offeredHostKey || n.offeredHostKey.fingerprint !== wanted)
        throw new ConflictError('The node has not presented that key. Refresh and compare the fingerprint again.');
      const row = await d.db.transaction(async (tx) => {
        const r = await repo.update(tx, id, {
          hostKeyFingerprint: wanted,
          offeredHostKey: null,
          status: 'offline',
          statusReason: 'host key confirmed; connecting',
        });
        annotateAudit({
          target: { type: 'node', id, name: n.name },
          details: { fingerprint: wanted, previous: n.hostKeyFingerprint, wasQuarantined: n.status === 'quarantined' },
        });
        return r;
      });
      if (!row) throw new NotFoundError('No such node.');
      pool.drop(id);
      misses.delete(id);
      await events.publish('nodes.changed', { node: ref(row), change: 'hostKeyTrusted', by: actor.name });
      await contact(id);
      return view((await repo.byId(id)) ?? row);
    },

    /** Connects now: first contact (shows the host key), or facts and health again. */
    async refresh(actor: Actor, id: string) {
      const n = await visible(actor, id, 'nodes:write');
      annotateAudit({ target: { type: 'node', id, name: n.name } });
      if (n.status === 'quarantined') throw new ConflictError('The node is quarantined: review its host key first.');
      pool.drop(id);
      await contact(id);
      annotateAudit({ target: { type: 'node', id, name: n.name } });
      return view((await repo.byId(id)) ?? n);
    },

    /** The public key to install on the node, and the command that installs it. */
    async publicKey(actor: Actor, id: string) {
      const n = await visible(actor, id, 'nodes:write');
      const key = await repo.keyById(n.keyId);
      if (!key) throw new NotFoundError('The node has no key.');
      annotateAudit({ target: { type: 'node', id, name: n.name } });
      return {
        publicKey: key.publicKey,
        scope: key.scope,
        source: key.source,
        installCommand: installCommandFor(key.publicKey),
        username: n.username,
      };
    },

    /** For other modules: the node row if the actor may act on it with `permission`. */
    authorise: visible,
    ref,
  };
}
export type NodeService = ReturnType<typeof createNodeService>;
