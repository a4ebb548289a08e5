import { type Job, Queue, Worker } from 'bullmq';
import type { Logger } from './logger.js';
import type { RedisTarget } from './redis.js';

// Long work (fleet runs, later deploys) goes through BullMQ queues on the same Redis.
// BullMQ is at-least-once: processors must be idempotent (they re-check PostgreSQL).

export interface Jobs {
  enqueue(queue: string, name: string, data: Record<string, unknown>, opts?: { jobId?: string }): Promise<string>;
  process(queue: string, handler: (job: Job) => Promise<void>, opts?: { concurrency?: number }): void;
  close(): Promise<void>;
}

export function createJobs(target: RedisTarget, log: Logger, prefix = 'serverbox'): Jobs {
  const queues = new Map<string, Queue>();
  const workers: Worker[] = [];
  const queueOf = (name: string) => {
    let q = queues.get(name);
    if (!q) {
      // Producers fail fast when Redis is gone (the request gets a 503), instead of queueing in memory.
      q = new Queue(name, {
        prefix,
        connection: { ...target.options, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
        defaultJobOptions: {
          removeOnComplete: 1000,
          removeOnFail: 1000,
          attempts: 3,
          backoff: { type: 'exponential', delay: 2000 },
        },
      });
      q.on('error', (err) => log.warn({ err, queue: name }, 'job queue error'));
      queues.set(name, q);
    }
    return q;
  };
  return {
    async enqueue(queue, name, data, opts) {
      const job = await queueOf(queue).add(name, data, { jobId: opts?.jobId });
      return job.id as string;
    },
    process(queue, handler, opts) {
      const w = new Worker(queue, handler, {
        prefix,
        connection: { ...target.options, maxRetriesPerRequest: null },
        concurrency: opts?.concurrency ?? 4,
      });
      w.on('error', (err) => log.warn({ err, queue }, 'job worker error'));
      w.on('failed', (job, err) => log.warn({ err, queue, jobId: job?.id }, 'job failed'));
      workers.push(w);
    },
    async close() {
      // Workers finish (or give up) their current job within the deadline.
      await Promise.race([Promise.all(workers.map((w) => w.close())), new Promise((r) => setTimeout(r, 10_000))]);
      await Promise.all([...queues.values()].map((q) => q.close().catch(() => {})));
    },
  };
}
