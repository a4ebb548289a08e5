import { z } from 'zod';
import { can, router } from '../../trpc/init.js';
import { activeStates, unitActions } from './services.service.js';

// Unit names are checked by the service (one rule, unit-tested); here only their size.
const unit = z.string().max(300);
const followId = z.object({ followId: z.uuid() });

export const servicesRouter = router({
  list: can('services:read')
    .input(
      z.object({
        nodeId: z.uuid(),
        search: z.string().max(100).optional(),
        state: z.enum(activeStates).optional(),
        limit: z.number().int().min(1).max(500).default(200),
        offset: z.number().int().min(0).default(0),
      }),
    )
    .query(({ ctx, input }) => ctx.services.services.list(ctx.actor, input)),

  status: can('services:read')
    .input(z.object({ nodeId: z.uuid(), unit, lines: z.number().int().min(0).max(500).default(50) }))
    .query(({ ctx, input }) => ctx.services.services.status(ctx.actor, input)),

  /** start, stop, restart, reload, enable or disable a unit, as root (audited). */
  action: can('services:write')
    .input(z.object({ nodeId: z.uuid(), unit, action: z.enum(unitActions) }))
    .mutation(({ ctx, input }) => ctx.services.services.action(ctx.actor, input)),

  /** Follows a unit's journal: new lines arrive as services.journal events on this session's stream. */
  follow: can('services:read')
    .input(z.object({ nodeId: z.uuid(), unit, lines: z.number().int().min(0).max(1000).default(50) }))
    .mutation(({ ctx, input }) => ctx.services.services.follow(ctx.actor, input)),

  /**
   * The follower's heartbeat (every heartbeatSeconds). A query on purpose: it only renews a
   * lease, like any request renews its session's idle timeout, and as a mutation it would
   * write an audit row every few seconds for as long as a journal is open.
   */
  keepFollowing: can('services:read')
    .input(followId)
    .query(({ ctx, input }) => ctx.services.services.keepFollowing(ctx.actor, input.followId)),

  unfollow: can('services:read')
    .input(followId)
    .mutation(({ ctx, input }) => ctx.services.services.unfollow(ctx.actor, input.followId)),
});
