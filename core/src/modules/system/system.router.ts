import { tracked } from '@trpc/server';
import { z } from 'zod';
import { can, router } from '../../trpc/init.js';

export const systemRouter = router({
  health: can('system:read').query(({ ctx }) => ctx.services.system.health()),
});

export const eventsRouter = router({
  /** The newest events the caller may see, and the cursor to subscribe from. */
  recent: can('events:read')
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }).optional())
    .query(({ ctx, input }) => ctx.services.eventStream.recent(ctx.actor, input?.limit ?? 50)),

  /** The ONE live subscription of a tab: every topic the caller may see, resumable. */
  onEvent: can('events:read')
    .input(z.object({ lastEventId: z.string().max(64).nullish() }).optional())
    .subscription(async function* ({ ctx, input, signal }) {
      const stream = ctx.services.eventStream.stream(ctx.actor, {
        since: input?.lastEventId,
        signal: signal ?? new AbortController().signal,
      });
      for await (const e of stream) yield tracked(e.id, e);
    }),
});
