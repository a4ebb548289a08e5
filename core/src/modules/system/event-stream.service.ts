import { UnauthenticatedError } from '../../errors.js';
import type { EventBus, EventFilter } from '../../platform/events/bus.js';
import { type BusEvent, type Topic, topics } from '../../platform/events/topics.js';
import type { Logger } from '../../platform/logger.js';
import { type Actor, can, sessionKeyOf } from '../access/permissions.js';

// The one live stream a browser tab holds. Each event is filtered by the permission its
// topic declares; a revoked session's streams end at once (bus event from any core
// process), and every stream re-checks its session periodically to catch expiry.

export function createEventStreamService(d: {
  bus: EventBus;
  /** Whether the actor's session (or guest link) may keep streaming. */
  stillValid: (actor: Actor) => Promise<boolean>;
  log: Logger;
  recheckSeconds: number;
}) {
  const open = new Map<string, Set<() => void>>();

  d.bus.on('sessions.revoked', ({ sessionIds }) => {
    for (const id of sessionIds) for (const end of open.get(id) ?? []) end();
  });

  const filterFor =
    (actor: Actor): EventFilter =>
    (e) => {
      const permission = topics[e.topic].permission;
      if (permission === null) return false;
      // Events about one node reach only actors whose scope holds it; events meant for one
      // session (a journal it follows) reach only that session.
      const data = e.data as { node?: { id: string; labels: string[] }; forSession?: string };
      if (data.forSession !== undefined && data.forSession !== sessionKeyOf(actor)) return false;
      return can(actor, permission, data.node ? { nodeId: data.node.id, labels: data.node.labels } : undefined);
    };

  return {
    recent(actor: Actor, limit: number, only?: Topic[]) {
      const allowed = filterFor(actor);
      const wanted = only ? new Set<Topic>(only) : null;
      return d.bus.recent(limit, wanted ? (e) => wanted.has(e.topic) && allowed(e) : allowed);
    },

    async *stream(actor: Actor, opts: { since?: string | null; signal: AbortSignal }): AsyncGenerator<BusEvent> {
      const controller = new AbortController();
      let ended = false;
      const end = () => {
        ended = true;
        controller.abort();
      };
      const onClientGone = () => controller.abort();
      opts.signal.addEventListener('abort', onClientGone, { once: true });
      const key = sessionKeyOf(actor);
      const set = open.get(key) ?? new Set();
      open.set(key, set);
      set.add(end);
      const recheck = setInterval(() => {
        d.stillValid(actor)
          .then((ok) => ok || end())
          .catch(() => {}); // database away: keep the stream, the next check decides
      }, d.recheckSeconds * 1000);
      // A guest link's stream ends when the link expires, not at the next re-check.
      const expiry =
        actor.kind === 'guest'
          ? setTimeout(end, Math.min(Math.max(0, actor.expiresAt.getTime() - Date.now()), 2 ** 31 - 1))
          : null;
      try {
        yield* d.bus.subscribe({ since: opts.since, signal: controller.signal, filter: filterFor(actor) });
        if (ended) throw new UnauthenticatedError('Your session has ended.');
      } finally {
        clearInterval(recheck);
        if (expiry) clearTimeout(expiry);
        opts.signal.removeEventListener('abort', onClientGone);
        set.delete(end);
        if (set.size === 0) open.delete(key);
      }
    },

    /** Streams currently open in this process (for health and tests). */
    openStreams(): number {
      let n = 0;
      for (const s of open.values()) n += s.size;
      return n;
    },
  };
}
export type EventStreamService = ReturnType<typeof createEventStreamService>;
