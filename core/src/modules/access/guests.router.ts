import { z } from 'zod';
import { canUser, router, sensitive } from '../../trpc/init.js';
import { nodeScopeInput } from './access.schemas.js';
import { guestGrantable } from './permissions.js';

export const guestsRouter = router({
  list: canUser('guests:manage').query(({ ctx }) => ctx.services.guests.list()),

  create: sensitive('guests:manage')
    .input(
      z.object({
        label: z.string().trim().min(1, 'Give the link a label.').max(100),
        permissions: z
          .array(z.enum(guestGrantable))
          .min(1, 'Grant at least one permission.')
          .max(guestGrantable.length),
        expiresInHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 7)
          .default(24),
        maxUses: z.number().int().min(1).max(1000).nullish(),
        nodeScope: nodeScopeInput.optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.guests.create(ctx.actor, input)),

  revoke: canUser('guests:manage')
    .input(z.object({ linkId: z.uuid() }))
    .mutation(({ ctx, input }) => ctx.services.guests.revoke(input.linkId)),
});
