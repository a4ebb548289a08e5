import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { fullTime, relativeTime, shortTime, useNow } from '../../lib/time';
import { trpc } from '../../lib/trpc';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { DataTable } from '../../ui/data-table';
import { ConfirmDialog } from '../../ui/dialog';
import { QueryList } from '../../ui/query-list';
import { EmptyState } from '../../ui/states';
import table from '../../ui/table.module.css';
import { useToast } from '../../ui/toast';
import styles from './guests.module.css';
import { type GuestLinkRow, revocable, statusTone } from './queries';
import { scopeInfo } from './scopes';

const When = ({ iso, now }: { iso: string; now: number }) => (
  <time dateTime={iso} title={fullTime(iso)}>
    {relativeTime(iso, now)}
  </time>
);

function Row({ link: l, now, onRevoke }: { link: GuestLinkRow; now: number; onRevoke: (l: GuestLinkRow) => void }) {
  return (
    <tr data-testid="guest-link-row" data-label={l.label} data-status={l.status}>
      <td>
        <div className={table.primary}>{l.label}</div>
        <div className={table.secondary}>
          by {l.createdBy ?? 'a deleted user'}, <When iso={l.createdAt} now={now} />
        </div>
      </td>
      <td>
        <div className={styles.scopes}>
          {l.permissions.map((p) => (
            <span key={p} title={scopeInfo(p)?.description ?? p}>
              <Badge tone="accent">{scopeInfo(p)?.short ?? p}</Badge>
            </span>
          ))}
        </div>
      </td>
      <td>
        <Badge tone={statusTone[l.status]} dot>
          {l.status}
        </Badge>
      </td>
      <td className={table.num} data-testid="guest-link-uses">
        {l.uses} / {l.maxUses ?? '∞'}
      </td>
      <td className={table.nowrap}>
        <div>
          <When iso={l.expiresAt} now={now} />
        </div>
        <div className={table.secondary}>{shortTime(l.expiresAt)}</div>
      </td>
      <td className={table.nowrap}>
        {l.lastUsedAt ? <When iso={l.lastUsedAt} now={now} /> : <span className={table.none}>never</span>}
      </td>
      <td>
        <div className={table.actions}>
          {revocable(l.status) && (
            <Button size="sm" variant="ghost" onClick={() => onRevoke(l)} data-testid="guest-link-revoke">
              Revoke
            </Button>
          )}
        </div>
      </td>
    </tr>
  );
}

/** Every guest link, newest first; revoking one ends its guests' access at once. */
export function GuestLinksTable({ onCreate }: { onCreate: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const now = useNow(15_000);
  const [revoking, setRevoking] = useState<GuestLinkRow | null>(null);
  const links = useQuery(trpc.guests.list.queryOptions());
  const revoke = useMutation(
    trpc.guests.revoke.mutationOptions({
      onSuccess: () => {
        toast({ tone: 'green', title: 'Guest link revoked', body: `“${revoking?.label}” no longer opens anything.` });
        setRevoking(null);
        void queryClient.invalidateQueries({ queryKey: trpc.guests.list.queryKey() });
      },
    }),
  );
  const active = links.data?.filter((l) => l.status === 'active').length ?? 0;
  return (
    <Card
      title="Links"
      description={links.data ? `${active} active of ${links.data.length}.` : 'Read-only access without an account.'}
      flush
      data-testid="guest-links-table"
    >
      <QueryList
        query={links}
        loading="Loading guest links…"
        errorTitle="Could not load guest links"
        empty={
          <EmptyState title="No guest links yet" icon="◌">
            <p>Give an auditor time-limited, read-only access without creating an account.</p>
            <p>
              <Button size="sm" onClick={onCreate}>
                Create guest link
              </Button>
            </p>
          </EmptyState>
        }
      >
        {(rows) => (
          <DataTable columns={['Link', 'Access', 'Status', 'Uses', 'Expires', 'Last use']}>
            {rows.map((l) => (
              <Row key={l.id} link={l} now={now} onRevoke={setRevoking} />
            ))}
          </DataTable>
        )}
      </QueryList>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.label}”?`}
        confirmLabel="Revoke link"
        pendingLabel="Revoking…"
        pending={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : undefined}
        onConfirm={() => revoking && revoke.mutate({ linkId: revoking.id })}
        onCancel={() => {
          setRevoking(null);
          revoke.reset();
        }}
      >
        <p>
          The guest link <strong className={styles.strong}>{revoking?.label}</strong> stops working now, and anyone
          viewing serverbox through it loses access at once. This cannot be undone.
        </p>
      </ConfirmDialog>
    </Card>
  );
}
