import { createFileRoute, redirect } from '@tanstack/react-router';
import { meQuery } from '../features/auth/use-me';
import { AppShell } from '../features/shell/app-shell';
import { isUnauthorized } from '../lib/errors';

// Every signed-in page lives under this pathless layout: anonymous visitors go to /login
// and come back here afterwards. Other failures (core down) are shown by the shell.
export const Route = createFileRoute('/_app')({
  beforeLoad: async ({ context, location }) => {
    try {
      await context.queryClient.ensureQueryData(meQuery());
    } catch (err) {
      if (isUnauthorized(err)) {
        throw redirect({ to: '/login', search: location.pathname === '/' ? {} : { redirect: location.href } });
      }
    }
  },
  component: AppShell,
});
