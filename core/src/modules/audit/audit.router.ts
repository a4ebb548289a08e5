import { z } from 'zod';
import { can, router } from '../../trpc/init.js';

const listInput = z.object({
  actor: z.string().trim().max(200).optional(),
  action: z.string().trim().max(200).optional(),
  target: z.string().trim().max(200).optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  cursor: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const auditRouter = router({
  list: can('audit:read')
    .input(listInput)
    .query(({ ctx, input }) =>
      ctx.services.audit.list({
        ...input,
        actor: input.actor || undefined,
        action: input.action || undefined,
        target: input.target || undefined,
        from: input.from ? new Date(input.from) : undefined,
        to: input.to ? new Date(input.to) : undefined,
      }),
    ),

  bySeq: can('audit:read')
    .input(z.object({ seq: z.number().int().positive() }))
    .query(({ ctx, input }) => ctx.services.audit.bySeq(input.seq)),

  checkpoints: can('audit:read').query(({ ctx }) => ctx.services.audit.checkpoints()),

  verify: can('audit:verify').mutation(({ ctx }) => ctx.services.audit.verify()),
});
