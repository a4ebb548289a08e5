import { useState } from 'react';
import { Button } from '../../ui/button';
import { EmptyState } from '../../ui/states';
import { useMe } from '../auth/use-me';
import { PageHeader } from '../shell/page-header';
import { CreateGuestLinkDialog } from './create-guest-link-dialog';
import { GuestLinksTable } from './guest-links-table';

const subtitle = 'Time-limited, read-only access for auditors, without an account. Every request they make is audited.';

export function GuestLinksPage() {
  const { can } = useMe();
  const [creating, setCreating] = useState(false);
  if (!can('guests:manage')) {
    return (
      <>
        <PageHeader title="Guest links" subtitle={subtitle} />
        <EmptyState title="Nothing to show">Your role cannot manage guest links.</EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Guest links"
        subtitle={subtitle}
        actions={
          <Button variant="primary" onClick={() => setCreating(true)} data-testid="create-guest-link">
            Create guest link
          </Button>
        }
      />
      <GuestLinksTable onCreate={() => setCreating(true)} />
      <CreateGuestLinkDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
