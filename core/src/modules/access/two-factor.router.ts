import { z } from 'zod';
import { canUser, router, sensitive } from '../../trpc/init.js';

export const twoFactorRouter = router({
  status: canUser('profile:manage').query(({ ctx }) => ctx.services.twoFactor.status(ctx.actor)),

  /** A new secret to scan (QR code as SVG) or type; pending until `enable` gets a code. */
  begin: canUser('profile:manage').mutation(({ ctx }) => ctx.services.twoFactor.begin(ctx.actor)),

  enable: canUser('profile:manage')
    .input(
      z.object({
        code: z
          .string()
          .trim()
          .regex(/^\d{6}$/, 'Enter the 6-digit code.'),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.twoFactor.enable(ctx.actor, input.code)),

  disable: sensitive('profile:manage').mutation(({ ctx }) => ctx.services.twoFactor.disable(ctx.actor)),

  /** Instance policy: require 2FA of nobody, admins, or everyone. */
  setPolicy: sensitive('settings:manage')
    .input(z.object({ policy: z.enum(['off', 'admins', 'all']) }))
    .mutation(({ ctx, input }) => ctx.services.twoFactor.setPolicy(input.policy)),
});
