import { tracked } from '@trpc/server';
import { z } from 'zod';
import { publicTopics, type Topic } from '../../platform/events/topics.js';
import { can, router } from '../../trpc/init.js';

export const systemRouter = router({
  health: can('system:read').query(({ ctx }) => ctx.services.system.health()),
});

/** Input of `events.onEvent`; the HTTP route that serves it (event-stream.route.ts) parses it too. */
export const onEventInput = z.object({ lastEventId: z.string().max(64).nullish() }).optional();

export const eventsRouter = router({
  /** The newest events the caller may see, and the cursor to subscribe from. */
  recent: can('events:read')
    .input(
      z
        .object({
          limit: z.number().int().min(1).max(200).default(50),
          /** Only these topics (e.g. the activity feed leaves out the audit tail). */
          topics: z
            .array(z.enum(publicTopics as [Topic, ...Topic[]]))
            .max(50)
            .optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }) => ctx.services.eventStream.recent(ctx.actor, input?.limit ?? 50, input?.topics)),

  /** The ONE live subscription of a tab: every topic the caller may see, resumable. */
  onEvent: can('events:read')
    .input(onEventInput)
    .subscription(async function* ({ ctx, input, signal }) {
      const stream = ctx.services.eventStream.stream(ctx.actor, {
        since: input?.lastEventId,
        signal: signal ?? new AbortController().signal,
      });
      for await (const e of stream) yield tracked(e.id, e);
    }),
});
