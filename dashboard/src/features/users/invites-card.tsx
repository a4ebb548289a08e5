import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { fullTime, relativeTime, useNow } from '../../lib/time';
import { trpc } from '../../lib/trpc';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { ConfirmDialog } from '../../ui/dialog';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { type InviteRow, roleTone } from './queries';
import styles from './users.module.css';

/** Invitations not yet accepted, revoked or expired. Live: invitation events refetch it. */
export function InvitesCard() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const now = useNow(30_000);
  const [revoking, setRevoking] = useState<InviteRow | null>(null);
  const invites = useQuery(trpc.users.invites.queryOptions());
  const revoke = useMutation(
    trpc.users.revokeInvite.mutationOptions({
      onSuccess: () => {
        toast({ tone: 'green', title: 'Invitation revoked', body: `The link for ${revoking?.email} no longer works.` });
        setRevoking(null);
        void queryClient.invalidateQueries({ queryKey: trpc.users.invites.queryKey() });
      },
    }),
  );
  return (
    <Card
      title="Pending invitations"
      description="Links sent but not used yet. Each works once, until it expires."
      flush
      data-testid="invites-card"
    >
      {invites.isPending ? (
        <LoadingState label="Loading invitations…" />
      ) : invites.isError ? (
        <ErrorState
          error={invites.error}
          title="Could not load invitations"
          onRetry={() => void invites.refetch()}
          retrying={invites.isFetching}
        />
      ) : invites.data.length === 0 ? (
        <EmptyState title="No pending invitations" icon="@">
          Invite someone with the button above; their link shows here until they use it.
        </EmptyState>
      ) : (
        <ul className={styles.list}>
          {invites.data.map((i) => (
            <li key={i.id} className={styles.invite} data-testid="invite-row" data-email={i.email}>
              <div className={styles.inviteMain}>
                <span className={styles.inviteEmail}>
                  {i.email} <Badge tone={roleTone[i.role]}>{i.role}</Badge>
                </span>
                <span className={styles.meta}>
                  Invited by {i.createdBy ?? 'a deleted user'}{' '}
                  <span title={fullTime(i.createdAt)}>{relativeTime(i.createdAt, now)}</span> · expires{' '}
                  <span title={fullTime(i.expiresAt)}>{relativeTime(i.expiresAt, now)}</span>
                </span>
              </div>
              <Button size="sm" variant="ghost" onClick={() => setRevoking(i)} data-testid="invite-revoke">
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this invitation?"
        confirmLabel="Revoke invitation"
        pendingLabel="Revoking…"
        pending={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : undefined}
        onConfirm={() => revoking && revoke.mutate({ inviteId: revoking.id })}
        onCancel={() => {
          setRevoking(null);
          revoke.reset();
        }}
      >
        <p>
          The invitation link for <strong className={styles.strong}>{revoking?.email}</strong> stops working at once.
          You can invite the address again later.
        </p>
      </ConfirmDialog>
    </Card>
  );
}
