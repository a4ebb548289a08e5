import { createFileRoute, redirect } from '@tanstack/react-router';
import { whoamiQuery } from '../../features/auth/use-me';
import { OverviewPage } from '../../features/overview/overview-page';

export const Route = createFileRoute('/_app/')({
  // A guest link lands on "/"; an auditor who may not read the core's health belongs on
  // the audit log instead of an empty Overview.
  beforeLoad: ({ context }) => {
    const who = context.queryClient.getQueryData(whoamiQuery().queryKey);
    if (who?.kind === 'guest' && !who.permissions.includes('system:read') && who.permissions.includes('audit:read')) {
      throw redirect({ to: '/audit', replace: true });
    }
  },
  component: OverviewPage,
});
