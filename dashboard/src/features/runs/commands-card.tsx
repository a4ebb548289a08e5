import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../lib/errors';
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
import { CommandEditor } from './command-editor';
import type { Command } from './queries';
import styles from './runs.module.css';

/** Admins (commands:manage) define the named commands operators may run. */
export function CommandsCard() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const commands = useQuery(trpc.commands.list.queryOptions());
  const [editing, setEditing] = useState<{ command: Command | null } | null>(null);
  const [removing, setRemoving] = useState<Command | null>(null);
  const remove = useMutation(
    trpc.commands.remove.mutationOptions({
      onSuccess: () => {
        toast({ tone: 'green', title: `${removing?.name} removed` });
        void queryClient.invalidateQueries({ queryKey: trpc.commands.list.queryKey() });
        setRemoving(null);
      },
    }),
  );
  return (
    <Card
      title="Commands"
      description="The named commands operators may run, with their typed parameters."
      actions={
        <Button variant="primary" size="sm" onClick={() => setEditing({ command: null })} data-testid="command-new">
          New command
        </Button>
      }
      flush
      data-testid="commands-card"
    >
      <QueryList
        query={commands}
        loading="Loading commands…"
        errorTitle="Could not load commands"
        empty={<EmptyState title="No commands yet">Define one so operators can run it on their nodes.</EmptyState>}
      >
        {(rows) => (
          <DataTable columns={['Command', 'Parameters', 'Runs as', { label: 'Timeout', className: table.right }]}>
            {rows.map((c) => (
              <tr key={c.id} data-testid="command-row" data-name={c.name}>
                <td>
                  <div className={styles.commandCell}>
                    <span className={styles.mono}>{c.name}</span>
                    {c.description && <span className={table.secondary}>{c.description}</span>}
                  </div>
                </td>
                <td>
                  {c.params.length ? (
                    <span className={styles.mono}>{c.params.map((p) => p.name).join(', ')}</span>
                  ) : (
                    <span className={table.none}>none</span>
                  )}
                </td>
                <td>{c.root ? <Badge tone="amber">root</Badge> : <Badge>login user</Badge>}</td>
                <td className={`${table.num} ${table.right}`}>{c.timeoutSeconds} s</td>
                <td>
                  <div className={table.actions}>
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => setEditing({ command: c })}
                      aria-label={`Edit ${c.name}`}
                      data-testid="command-edit"
                    >
                      Edit
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => setRemoving(c)}
                      aria-label={`Remove ${c.name}`}
                      data-testid="command-remove"
                    >
                      Remove
                    </Button>
                  </div>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryList>
      <CommandEditor open={editing !== null} command={editing?.command ?? null} onClose={() => setEditing(null)} />
      <ConfirmDialog
        open={removing !== null}
        title={`Remove the command ${removing?.name}?`}
        confirmLabel="Remove command"
        pendingLabel="Removing…"
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : undefined}
        onConfirm={() => removing && remove.mutate({ id: removing.id })}
        onCancel={() => {
          setRemoving(null);
          remove.reset();
        }}
      >
        <p>
          No one can run <strong className={styles.strong}>{removing?.name}</strong> any more. Past runs keep their
          output; a queued run of it fails.
        </p>
      </ConfirmDialog>
    </Card>
  );
}
