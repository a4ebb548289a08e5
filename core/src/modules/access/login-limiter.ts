import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError, UnavailableError } from '../../errors.js';
import type { Redis } from '../../platform/redis.js';

// Counts failed sign-ins per (account, IP) and per IP in Redis, so every core process
// shares the same counters. A success clears the account counter.

export interface LoginLimiter {
  /** Throws RateLimitedError when either counter is exhausted. */
  check(key: { email: string; ip: string }): Promise<void>;
  failed(key: { email: string; ip: string }): Promise<void>;
  succeeded(key: { email: string; ip: string }): Promise<void>;
}

export function createLoginLimiter(d: {
  redis: Redis;
  perAccount: number;
  perIp: number;
  windowSeconds: number;
  prefix?: string;
}): LoginLimiter {
  const common = { storeClient: d.redis, duration: d.windowSeconds, blockDuration: d.windowSeconds };
  const byAccount = new RateLimiterRedis({
    ...common,
    keyPrefix: `${d.prefix ?? 'rl'}:login:acct`,
    points: d.perAccount,
  });
  const byIp = new RateLimiterRedis({ ...common, keyPrefix: `${d.prefix ?? 'rl'}:login:ip`, points: d.perIp });
  const accountKey = (k: { email: string; ip: string }) => `${k.email.toLowerCase()}|${k.ip}`;

  const guard = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        throw new RateLimitedError('Too many sign-in attempts. Try again later.', Math.ceil(err.msBeforeNext / 1000));
      }
      throw new UnavailableError('Redis is unavailable', { cause: String(err) });
    }
  };

  return {
    check: (k) =>
      guard(async () => {
        const [a, i] = await Promise.all([byAccount.get(accountKey(k)), byIp.get(k.ip)]);
        const blocked = [a, i].find((r, n) => r && r.consumedPoints >= (n === 0 ? d.perAccount : d.perIp));
        if (blocked) throw blocked;
      }),
    failed: (k) =>
      guard(async () => {
        await Promise.all([byAccount.consume(accountKey(k)), byIp.consume(k.ip)]).catch((err) => {
          if (err instanceof RateLimiterRes) return; // counted; the next check refuses
          throw err;
        });
      }),
    succeeded: (k) => guard(async () => void (await byAccount.delete(accountKey(k)))),
  };
}
