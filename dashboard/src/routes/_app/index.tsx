import { createFileRoute, redirect } from '@tanstack/react-router';
import { whoamiQuery } from '../../features/auth/use-me';
import { OverviewPage } from '../../features/overview/overview-page';

export const Route = createFileRoute('/_app/')({
  // A guest link lands on "/"; a guest who may not read the core's health belongs on what
  // the link does grant (the audit log, or the nodes) instead of an empty Overview.
  beforeLoad: ({ context }) => {
    const who = context.queryClient.getQueryData(whoamiQuery().queryKey);
    if (who?.kind !== 'guest' || who.permissions.includes('system:read')) return;
    if (who.permissions.includes('audit:read')) throw redirect({ to: '/audit', replace: true });
    if (who.permissions.includes('nodes:read')) throw redirect({ to: '/nodes', replace: true });
  },
  component: OverviewPage,
});
