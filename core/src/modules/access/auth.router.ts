import { z } from 'zod';
import type { Context } from '../../trpc/context.js';
import { clearedSessionCookie, sessionCookie } from '../../trpc/cookies.js';
import { canUser, publicProcedure, router } from '../../trpc/init.js';
import { changePasswordInput, loginInput, setupInput } from './access.schemas.js';
import type { IssuedSession } from './auth.service.js';
import { permissionsOf, type UserActor } from './permissions.js';

/** What auth.me answers; session.whoami answers the same for users. */
export const me = (actor: UserActor) => ({
  user: { id: actor.userId, email: actor.email, name: actor.name, role: actor.role },
  sessionId: actor.sessionId,
  nodeScope: actor.nodeScope ?? null,
  /** The instance requires 2FA of this user, who must enrol before anything else. */
  mustEnrol2fa: actor.mustEnrol2fa ?? false,
  permissions: permissionsOf(actor),
});

export function signIn(ctx: Context, issued: IssuedSession) {
  ctx.resHeaders.append('set-cookie', sessionCookie(issued.token, issued.maxAgeSeconds, ctx.req.secure));
  return me(issued.actor);
}
const requestInfo = (ctx: Context) => ({ ip: ctx.req.ip, userAgent: ctx.req.userAgent });

export const authRouter = router({
  setupStatus: publicProcedure.query(async ({ ctx }) => ({ needsSetup: await ctx.services.auth.needsSetup() })),

  setup: publicProcedure
    .input(setupInput)
    .mutation(async ({ ctx, input }) => signIn(ctx, await ctx.services.auth.setup(input, requestInfo(ctx)))),

  /** Signs in; with 2FA on, answers UNAUTHORIZED with details { twoFactorRequired, challenge } for loginTwoFactor. */
  login: publicProcedure
    .input(loginInput)
    .mutation(async ({ ctx, input }) =>
      signIn(ctx, await ctx.services.auth.login(input, requestInfo(ctx), ctx.req.sessionToken)),
    ),

  loginTwoFactor: publicProcedure
    .input(z.object({ challenge: z.string().min(16).max(128), code: z.string().trim().min(6).max(20) }))
    .mutation(async ({ ctx, input }) =>
      signIn(ctx, await ctx.services.auth.loginTwoFactor(input, requestInfo(ctx), ctx.req.sessionToken)),
    ),

  me: canUser('profile:manage').query(({ ctx }) => me(ctx.actor)),

  sessions: canUser('profile:manage').query(({ ctx }) => ctx.services.auth.listSessions(ctx.actor)),

  logout: canUser('profile:manage').mutation(async ({ ctx }) => {
    await ctx.services.auth.logout(ctx.actor);
    ctx.resHeaders.append('set-cookie', clearedSessionCookie(ctx.req.secure));
    return { ok: true as const };
  }),

  logoutOthers: canUser('profile:manage').mutation(({ ctx }) => ctx.services.auth.logoutOthers(ctx.actor)),

  revokeSession: canUser('profile:manage')
    .input(z.object({ sessionId: z.uuid() }))
    .mutation(({ ctx, input }) => ctx.services.auth.revokeSession(ctx.actor, input.sessionId)),

  /** Proves the password again; unlocks sensitive actions for 5 minutes. */
  confirm: canUser('profile:manage')
    .input(
      z.union([
        z.object({ password: z.string().min(1).max(256) }),
        z.object({ code: z.string().trim().min(6).max(20) }),
      ]),
    )
    .mutation(({ ctx, input }) => ctx.services.auth.confirmPassword(ctx.actor, input, requestInfo(ctx))),

  changePassword: canUser('profile:manage')
    .input(changePasswordInput)
    .mutation(({ ctx, input }) => ctx.services.auth.changePassword(ctx.actor, input)),
});
