import type { DatabaseHandle } from '../../platform/db/client.js';
import { withTimeout } from '../../platform/db/client.js';
import type { Redis } from '../../platform/redis.js';

export interface ComponentHealth {
  ok: boolean;
  latencyMs: number | null;
  detail: string;
  error?: string;
}

export function createSystemService(d: {
  database: DatabaseHandle;
  redis: Redis;
  redisDescribe: string;
  version: string;
}) {
  const startedAt = new Date();

  async function probe(what: string, f: () => Promise<unknown>, detail: string): Promise<ComponentHealth> {
    const t0 = performance.now();
    try {
      await withTimeout(f(), 2000, what);
      return { ok: true, latencyMs: Math.round((performance.now() - t0) * 100) / 100, detail };
    } catch (err) {
      return { ok: false, latencyMs: null, detail, error: (err as Error).message.slice(0, 200) };
    }
  }

  async function check() {
    const [database, redis] = await Promise.all([
      probe('database', () => d.database.ping(), d.database.describe),
      probe('redis', () => d.redis.ping(), d.redisDescribe),
    ]);
    return { database, redis };
  }

  return {
    /** Readiness: which parts are unreachable (empty when ready). */
    async failing(): Promise<string[]> {
      const c = await check();
      return Object.entries(c)
        .filter(([, h]) => !h.ok)
        .map(([name]) => name);
    },
    async health() {
      const c = await check();
      return {
        status: c.database.ok && c.redis.ok ? ('ok' as const) : ('degraded' as const),
        version: d.version,
        node: process.version,
        startedAt: startedAt.toISOString(),
        uptimeSeconds: Math.round(process.uptime()),
        database: { ...c.database, kind: d.database.kind },
        redis: c.redis,
      };
    },
  };
}
export type SystemService = ReturnType<typeof createSystemService>;
