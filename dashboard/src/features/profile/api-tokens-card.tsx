import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { fullTime, relativeTime, useNow } from '../../lib/time';
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
import type { Me } from '../auth/use-me';
import { CreateTokenDialog } from './create-token-dialog';
import { grantable, permissionText, type TokenRow, tokenTone } from './tokens';
import styles from './tokens.module.css';

const When = ({ iso, now }: { iso: string; now: number }) => (
  <time dateTime={iso} title={fullTime(iso)}>
    {relativeTime(iso, now)}
  </time>
);

function Row({ token: t, now, onRevoke }: { token: TokenRow; now: number; onRevoke: (t: TokenRow) => void }) {
  return (
    <tr data-testid="token-row" data-name={t.name} data-status={t.status}>
      <td>
        <div className={table.primary}>{t.name}</div>
        <div className={table.secondary}>
          created <When iso={t.createdAt} now={now} />
        </div>
      </td>
      <td>
        <div className={styles.perms}>
          {t.permissions.map((p) => (
            <Badge key={p} tone="accent" title={permissionText[p as keyof typeof permissionText] ?? p}>
              {p}
            </Badge>
          ))}
        </div>
      </td>
      <td>
        <Badge tone={tokenTone[t.status] ?? 'neutral'} dot>
          {t.status}
        </Badge>
      </td>
      <td className={table.nowrap}>
        <When iso={t.expiresAt} now={now} />
      </td>
      <td className={table.nowrap}>
        {t.lastUsedAt ? <When iso={t.lastUsedAt} now={now} /> : <span className={table.none}>never</span>}
      </td>
      <td>
        <div className={table.actions}>
          {t.status === 'active' && (
            <Button size="sm" variant="ghost" onClick={() => onRevoke(t)} data-testid="token-revoke">
              Revoke
            </Button>
          )}
        </div>
      </td>
    </tr>
  );
}

/** Personal API tokens: scripts acting as this user with a subset of their permissions. */
export function ApiTokensCard({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const now = useNow(30_000);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<TokenRow | null>(null);
  const tokens = useQuery(trpc.tokens.list.queryOptions());
  const revoke = useMutation(
    trpc.tokens.revoke.mutationOptions({
      onSuccess: () => {
        toast({ tone: 'green', title: 'Token revoked', body: `“${revoking?.name}” no longer authenticates.` });
        setRevoking(null);
        void queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
      },
    }),
  );
  const perms = grantable(me.permissions);
  const create = (
    <Button size="sm" variant="primary" onClick={() => setCreating(true)} data-testid="create-token">
      Create token
    </Button>
  );
  return (
    <Card
      title="API tokens"
      description="For scripts and the CLI: they act as you, limited to the permissions you give them."
      flush
      data-testid="tokens-card"
      actions={perms.length > 0 && create}
    >
      <QueryList
        query={tokens}
        loading="Loading tokens…"
        errorTitle="Could not load tokens"
        empty={
          <EmptyState title="No API tokens" icon="◌">
            {perms.length > 0 ? 'Create one to call the API from a script.' : 'Your role has nothing a token may hold.'}
          </EmptyState>
        }
      >
        {(rows) => (
          <DataTable columns={['Token', 'Permissions', 'Status', 'Expires', 'Last used']}>
            {rows.map((t) => (
              <Row key={t.id} token={t} now={now} onRevoke={setRevoking} />
            ))}
          </DataTable>
        )}
      </QueryList>
      <CreateTokenDialog open={creating} grantable={perms} onClose={() => setCreating(false)} />
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name}”?`}
        confirmLabel="Revoke token"
        pendingLabel="Revoking…"
        pending={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : undefined}
        onConfirm={() => revoking && revoke.mutate({ tokenId: revoking.id })}
        onCancel={() => {
          setRevoking(null);
          revoke.reset();
        }}
      >
        <p>
          The token <strong className={styles.strong}>{revoking?.name}</strong> stops working now: every script using it
          gets 401 from its next request. This cannot be undone.
        </p>
      </ConfirmDialog>
    </Card>
  );
}
