import { createFileRoute, redirect } from '@tanstack/react-router';
import { whoamiQuery } from '../features/auth/use-me';
import { AppShell } from '../features/shell/app-shell';

// Every page of the app lives under this pathless layout, for users and guests alike:
// anonymous visitors go to /login and come back here afterwards. A guest whose access just
// ended stays, to be told so. Other failures (core down) are shown by the shell.
export const Route = createFileRoute('/_app')({
  beforeLoad: async ({ context, location }) => {
    const who = await context.queryClient.ensureQueryData(whoamiQuery()).catch(() => null);
    if (who?.kind === 'anonymous' && !who.guestEnded) {
      throw redirect({ to: '/login', search: location.pathname === '/' ? {} : { redirect: location.href } });
    }
  },
  component: AppShell,
});
