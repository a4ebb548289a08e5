import { z } from 'zod';
import { canUser, publicProcedure, router, sensitive } from '../../trpc/init.js';
import { acceptInviteInput, inviteInput, nodeScopeInput, userIdInput } from './access.schemas.js';
import { signIn } from './auth.router.js';
import { roles } from './permissions.js';

export const usersRouter = router({
  list: canUser('users:manage').query(({ ctx }) => ctx.services.userAdmin.list()),

  invites: canUser('users:manage').query(({ ctx }) => ctx.services.userAdmin.invites()),

  invite: canUser('users:manage')
    .input(inviteInput)
    .mutation(({ ctx, input }) => ctx.services.userAdmin.invite(ctx.actor, input)),

  revokeInvite: canUser('users:manage')
    .input(z.object({ inviteId: z.uuid() }))
    .mutation(({ ctx, input }) => ctx.services.userAdmin.revokeInvite(ctx.actor, input.inviteId)),

  acceptInvite: publicProcedure
    .input(acceptInviteInput)
    .mutation(async ({ ctx, input }) =>
      signIn(ctx, await ctx.services.auth.acceptInvite(input, { ip: ctx.req.ip, userAgent: ctx.req.userAgent })),
    ),

  setRole: sensitive('users:manage')
    .input(userIdInput.extend({ role: z.enum(roles) }))
    .mutation(({ ctx, input }) => ctx.services.userAdmin.setRole(ctx.actor, input.userId, input.role)),

  setDisabled: canUser('users:manage')
    .input(userIdInput.extend({ disabled: z.boolean() }))
    .mutation(({ ctx, input }) => ctx.services.userAdmin.setDisabled(ctx.actor, input.userId, input.disabled)),

  setNodeScope: sensitive('users:manage')
    .input(userIdInput.extend({ nodeScope: nodeScopeInput }))
    .mutation(({ ctx, input }) => ctx.services.userAdmin.setNodeScope(ctx.actor, input.userId, input.nodeScope)),

  forceSignOut: canUser('users:manage')
    .input(userIdInput)
    .mutation(({ ctx, input }) => ctx.services.userAdmin.forceSignOut(ctx.actor, input.userId)),
});
