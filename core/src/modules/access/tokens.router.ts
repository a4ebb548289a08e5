import { z } from 'zod';
import { canUser, router, sensitive } from '../../trpc/init.js';
import { nodeScopeInput } from './access.schemas.js';
import { permissions } from './permissions.js';

export const tokensRouter = router({
  list: canUser('profile:manage').query(({ ctx }) => ctx.services.tokens.list(ctx.actor)),

  create: sensitive('profile:manage')
    .input(
      z.object({
        name: z.string().trim().min(1, 'Name the token.').max(100),
        permissions: z.array(z.enum(permissions)).min(1, 'Grant at least one permission.').max(permissions.length),
        expiresInDays: z.number().int().min(1).max(365).default(30),
        nodeScope: nodeScopeInput.optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.tokens.create(ctx.actor, input)),

  revoke: canUser('profile:manage')
    .input(z.object({ tokenId: z.uuid() }))
    .mutation(({ ctx, input }) => ctx.services.tokens.revoke(ctx.actor, input.tokenId)),
});
