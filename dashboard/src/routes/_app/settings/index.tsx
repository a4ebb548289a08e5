import { createFileRoute, redirect } from '@tanstack/react-router';

// Settings has one page so far; the section's own address leads to it.
export const Route = createFileRoute('/_app/settings/')({
  beforeLoad: () => {
    throw redirect({ to: '/settings/profile', replace: true });
  },
});
