import { ValidationError } from '../../errors.js';
import type { Logger } from '../logger.js';
import type { Redis } from '../redis.js';
import { type BusEvent, type Topic, type TopicPayload, topics } from './topics.js';

// Domain events travel through one capped Redis Stream so that every core process sees
// every event. Each process runs ONE blocking reader and fans events out in memory to its
// subscribers; a subscriber that resumes (lastEventId) is backfilled from the stream.

export type EventFilter = (e: BusEvent) => boolean;

export interface EventBus {
  publish<T extends Topic>(topic: T, data: TopicPayload<T>): Promise<string>;
  /** Live events after `since` (exclusive), backfilled from the stream, until `signal` aborts. */
  subscribe(opts: { since?: string | null; signal: AbortSignal; filter: EventFilter }): AsyncGenerator<BusEvent>;
  /** The newest events (newest first) and the stream position to resume from. */
  recent(limit: number, filter: EventFilter): Promise<{ events: BusEvent[]; cursor: string }>;
  /** In-process hook for internal topics (fires for events from every process). */
  on<T extends Topic>(topic: T, handler: (data: TopicPayload<T>) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const idPattern = /^\d{1,20}-\d{1,20}$/;
const maxQueue = 5000;
const backfillCap = 10_000;

interface Subscriber {
  filter: EventFilter;
  queue: BusEvent[];
  wake: (() => void) | null;
  overflow: boolean;
}

export function createEventBus(d: {
  publisher: Redis;
  reader: Redis;
  log: Logger;
  streamKey?: string;
  maxLen: number;
}): EventBus {
  const key = d.streamKey ?? 'serverbox:events';
  const subscribers = new Set<Subscriber>();
  const handlers = new Map<Topic, Set<(data: never) => void>>();
  let running = false;
  let stopped = false;
  let loop: Promise<void> | null = null;

  function decode(id: string, fields: string[]): BusEvent | null {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
    const topic = f.t as Topic | undefined;
    if (!topic || !(topic in topics) || !f.d) return null;
    try {
      return { id, topic, at: f.at ?? '', data: JSON.parse(f.d) } as BusEvent;
    } catch {
      return null;
    }
  }

  function dispatch(e: BusEvent) {
    for (const h of handlers.get(e.topic) ?? []) {
      try {
        (h as (data: unknown) => void)(e.data);
      } catch (err) {
        d.log.error({ err, topic: e.topic }, 'event handler failed');
      }
    }
    if (topics[e.topic].permission === null) return;
    for (const s of subscribers) {
      if (!s.filter(e)) continue;
      if (s.queue.length >= maxQueue) s.overflow = true;
      else s.queue.push(e);
      s.wake?.();
    }
  }

  async function newestId(): Promise<string> {
    const last = (await d.publisher.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
    return last[0]?.[0] ?? '0-0';
  }

  async function readLoop(startId: string) {
    let lastId = startId;
    while (running) {
      try {
        const res = (await d.reader.xread('COUNT', 1000, 'BLOCK', 5000, 'STREAMS', key, lastId)) as
          | [string, [string, string[]][]][]
          | null;
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            const e = decode(id, fields);
            if (e) dispatch(e);
          }
        }
      } catch (err) {
        if (!running) break;
        d.log.warn({ err: (err as Error).message }, 'event stream read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  return {
    async publish(topic, data) {
      const payload = topics[topic].payload.parse(data);
      const id = await d.publisher.xadd(
        key,
        'MAXLEN',
        '~',
        String(d.maxLen),
        '*',
        't',
        topic,
        'at',
        new Date().toISOString(),
        'd',
        JSON.stringify(payload),
      );
      return id as string;
    },

    async *subscribe({ since, signal, filter }) {
      if (since != null && !idPattern.test(since)) throw new ValidationError('lastEventId is not an event id');
      const sub: Subscriber = { filter, queue: [], wake: null, overflow: false };
      const onAbort = () => sub.wake?.();
      signal.addEventListener('abort', onAbort, { once: true });
      // Subscribe before backfilling, then drop live duplicates of what the backfill gave.
      subscribers.add(sub);
      try {
        let last = since ?? null;
        if (since != null) {
          let from = `(${since}`;
          for (let fetched = 0; fetched < backfillCap && !signal.aborted; ) {
            const page = (await d.publisher.xrange(key, from, '+', 'COUNT', 500)) as [string, string[]][];
            for (const [id, fields] of page) {
              last = id;
              const e = decode(id, fields);
              if (e && topics[e.topic].permission !== null && filter(e)) yield e;
            }
            fetched += page.length;
            if (page.length < 500) break;
            from = `(${last}`;
          }
        }
        while (!signal.aborted && !stopped) {
          if (sub.queue.length === 0 && !sub.overflow) {
            await new Promise<void>((resolve) => {
              sub.wake = resolve;
            });
            sub.wake = null;
          }
          if (sub.overflow) throw new Error('subscriber fell too far behind; reconnect to resume');
          while (sub.queue.length > 0 && !signal.aborted) {
            const e = sub.queue.shift() as BusEvent;
            if (last !== null && compareIds(e.id, last) <= 0) continue;
            last = e.id;
            yield e;
          }
        }
      } finally {
        subscribers.delete(sub);
        signal.removeEventListener('abort', onAbort);
      }
    },

    async recent(limit, filter) {
      const rows = (await d.publisher.xrevrange(key, '+', '-', 'COUNT', Math.min(limit * 10, 2000))) as [
        string,
        string[],
      ][];
      const events: BusEvent[] = [];
      for (const [id, fields] of rows) {
        const e = decode(id, fields);
        if (e && topics[e.topic].permission !== null && filter(e)) events.push(e);
        if (events.length >= limit) break;
      }
      return { events, cursor: rows[0]?.[0] ?? (await newestId()) };
    },

    on(topic, handler) {
      const set = handlers.get(topic) ?? new Set();
      handlers.set(topic, set);
      set.add(handler as (data: never) => void);
      return () => set.delete(handler as (data: never) => void);
    },

    async start() {
      if (running) return;
      const startId = await newestId();
      running = true;
      loop = readLoop(startId);
    },

    async stop() {
      running = false;
      stopped = true;
      d.reader.disconnect();
      for (const s of subscribers) s.wake?.();
      await loop;
    },
  };
}

export function compareIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms > 0n ? 1 : -1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq > 0n ? 1 : -1;
}
