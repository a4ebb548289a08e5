import { UnauthenticatedError } from '../../errors.js';
import type { EventBus, EventFilter } from '../../platform/events/bus.js';
import { type BusEvent, topics } from '../../platform/events/topics.js';
import type { Logger } from '../../platform/logger.js';
import type { AuthService } from '../access/auth.service.js';
import { type Actor, can } from '../access/permissions.js';

// The one live stream a browser tab holds. Each event is filtered by the permission its
// topic declares; a revoked session's streams end at once (bus event from any core
// process), and every stream re-checks its session periodically to catch expiry.

export function createEventStreamService(d: {
  bus: EventBus;
  auth: Pick<AuthService, 'sessionStillValid'>;
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
      return permission !== null && can(actor, permission);
    };

  return {
    recent(actor: Actor, limit: number) {
      return d.bus.recent(limit, filterFor(actor));
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
      const set = open.get(actor.sessionId) ?? new Set();
      open.set(actor.sessionId, set);
      set.add(end);
      const recheck = setInterval(() => {
        d.auth
          .sessionStillValid(actor.sessionId)
          .then((ok) => ok || end())
          .catch(() => {}); // database away: keep the stream, the next check decides
      }, d.recheckSeconds * 1000);
      try {
        yield* d.bus.subscribe({ since: opts.since, signal: controller.signal, filter: filterFor(actor) });
        if (ended) throw new UnauthenticatedError('Your session has ended.');
      } finally {
        clearInterval(recheck);
        opts.signal.removeEventListener('abort', onClientGone);
        set.delete(end);
        if (set.size === 0) open.delete(actor.sessionId);
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
