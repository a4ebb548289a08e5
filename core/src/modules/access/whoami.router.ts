import { clearedGuestCookie } from '../../trpc/cookies.js';
import { publicProcedure, router } from '../../trpc/init.js';
import { me } from './auth.router.js';
import { permissionsOf } from './permissions.js';

// Who this browser is, as an answer rather than an error. auth.me serves signed-in users
// only (a guest gets FORBIDDEN there, an anonymous caller UNAUTHORIZED); the dashboard's
// shell needs one question that tells a user, a guest and nobody apart.

export const sessionRouter = router({
  /** Ends this browser's guest session (the cookie is HttpOnly, so only the core can). */
  endGuest: publicProcedure.mutation(async ({ ctx }) => {
    const actor = await ctx.getActor();
    if (actor?.kind === 'guest') await ctx.services.guests.endSession(actor.guestSessionId);
    ctx.resHeaders.append('set-cookie', clearedGuestCookie(ctx.req.secure));
    return { ended: actor?.kind === 'guest' };
  }),

  whoami: publicProcedure.query(async ({ ctx }) => {
    const actor = await ctx.getActor();
    if (actor?.kind === 'user') {
      // The same shape as auth.me, so a sign-in's answer can stand in for it.
      return { kind: 'user' as const, ...me(actor) };
    }
    if (actor?.kind === 'guest') {
      return {
        kind: 'guest' as const,
        label: actor.label,
        permissions: permissionsOf(actor),
        expiresAt: actor.expiresAt.toISOString(),
      };
    }
    if (actor?.kind === 'token') {
      return {
        kind: 'token' as const,
        tokenName: actor.tokenName,
        owner: actor.email,
        permissions: permissionsOf(actor),
      };
    }
    // A guest cookie that no longer authenticates: the link was revoked, expired or its
    // guest session ran out (the browser keeps the HttpOnly cookie until its max-age).
    return { kind: 'anonymous' as const, guestEnded: ctx.req.guestToken !== undefined };
  }),
});
