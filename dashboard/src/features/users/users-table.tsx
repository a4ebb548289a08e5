import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { fullTime, relativeTime, useNow } from '../../lib/time';
import { trpc } from '../../lib/trpc';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { DataTable } from '../../ui/data-table';
import { QueryList } from '../../ui/query-list';
import { EmptyState } from '../../ui/states';
import table from '../../ui/table.module.css';
import { initials } from '../shell/top-bar';
import { plural, roleTone, type UserRow } from './queries';
import { type UserAction, UserActionDialog } from './user-action-dialog';
import styles from './users.module.css';

function Row({
  user: u,
  isMe,
  now,
  onAction,
}: {
  user: UserRow;
  isMe: boolean;
  now: number;
  onAction: (a: UserAction) => void;
}) {
  return (
    <tr
      className={u.disabled ? styles.disabled : undefined}
      data-testid="user-row"
      data-email={u.email}
      data-role={u.role}
      data-status={u.disabled ? 'disabled' : 'active'}
    >
      <td>
        <div className={styles.person}>
          <span className={styles.avatar} aria-hidden>
            {initials(u.name)}
          </span>
          <div className={styles.who}>
            <span className={styles.name}>
              {u.name}
              {isMe && <Badge>you</Badge>}
            </span>
            <span className={styles.email} title={u.email}>
              {u.email}
            </span>
          </div>
        </div>
      </td>
      <td>
        <Badge tone={roleTone[u.role]}>{u.role}</Badge>
      </td>
      <td>
        <Badge tone={u.disabled ? 'red' : 'green'} dot>
          {u.disabled ? 'Disabled' : 'Active'}
        </Badge>
      </td>
      <td className={table.nowrap}>
        {u.lastSeenAt ? (
          <time dateTime={u.lastSeenAt} title={fullTime(u.lastSeenAt)}>
            {relativeTime(u.lastSeenAt, now)}
          </time>
        ) : (
          <span className={table.none}>never</span>
        )}
      </td>
      <td className={`${table.num} ${table.right}`} data-testid="user-sessions">
        {u.activeSessions}
      </td>
      <td>
        <div className={table.actions}>
          <Button size="sm" variant="ghost" onClick={() => onAction({ kind: 'role', user: u })} data-testid="user-role">
            Change role
          </Button>
          <Button
            size="sm"
            variant="ghost"
            disabled={u.activeSessions === 0}
            title={u.activeSessions === 0 ? 'No active session to end' : undefined}
            onClick={() => onAction({ kind: 'signOut', user: u })}
            data-testid="user-sign-out"
          >
            Sign out
          </Button>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => onAction({ kind: u.disabled ? 'enable' : 'disable', user: u })}
            data-testid="user-toggle"
          >
            {u.disabled ? 'Enable' : 'Disable'}
          </Button>
        </div>
      </td>
    </tr>
  );
}

/** Every account, with what an admin may change about it. Live: user events refetch it. */
export function UsersTable({ meId }: { meId: string }) {
  const users = useQuery(trpc.users.list.queryOptions());
  const now = useNow(30_000);
  const [action, setAction] = useState<UserAction | null>(null);
  const enabled = users.data?.filter((u) => !u.disabled).length ?? 0;
  return (
    <Card
      title="People"
      description={
        users.data
          ? `${plural(users.data.length, 'account', 'accounts')}, ${enabled} enabled.`
          : 'Everyone who can sign in.'
      }
      flush
      data-testid="users-table"
    >
      <QueryList
        query={users}
        loading="Loading users…"
        errorTitle="Could not load users"
        empty={
          <EmptyState title="No users yet" icon="◌">
            Invite someone to give them an account.
          </EmptyState>
        }
      >
        {(rows) => (
          <DataTable columns={['User', 'Role', 'Status', 'Last seen', { label: 'Sessions', className: table.right }]}>
            {rows.map((u) => (
              <Row key={u.id} user={u} isMe={u.id === meId} now={now} onAction={setAction} />
            ))}
          </DataTable>
        )}
      </QueryList>
      <UserActionDialog action={action} meId={meId} onClose={() => setAction(null)} />
    </Card>
  );
}
