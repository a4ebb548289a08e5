import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorMessage, needsReauth } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { Dialog } from '../../ui/dialog';
import { Input } from '../../ui/input';
import { Alert, ErrorState, LoadingState } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { ReauthPrompt } from '../auth/reauth-prompt';
import { InstallKey } from './install-key';
import { draftOf, draftToInput, NodeFields, nodeErrors } from './node-form';
import styles from './nodes.module.css';
import type { NodeDetail } from './queries';

/**
 * Name, address, login, labels, jump host, notes, session cap. The pinned host key is not
 * editable here. Mount it when it opens: the form starts from what the node is now.
 */
export function EditNodeDialog({ node, open, onClose }: { node: NodeDetail; open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [draft, setDraft] = useState(() => draftOf(node));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const update = useMutation(
    trpc.nodes.update.mutationOptions({
      onSuccess: (view) => {
        queryClient.setQueryData<NodeDetail>(
          trpc.nodes.get.queryKey({ id: view.id }),
          (old) => old && { ...old, ...view },
        );
        void queryClient.invalidateQueries({ queryKey: trpc.nodes.list.queryKey() });
        toast({ tone: 'green', title: `${view.name} saved`, body: 'serverbox reconnects with the new settings.' });
        onClose();
      },
    }),
  );
  const server = nodeErrors(update.error);
  const errors = { ...server.fields, ...localErrors };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = draftToInput(draft);
    setLocalErrors(parsed.errors ?? {});
    if (parsed.value) update.mutate({ id: node.id, ...parsed.value });
  };
  return (
    <Dialog
      open={open}
      onClose={() => !update.isPending && onClose()}
      title={`Edit ${node.name}`}
      wide
      data-testid="edit-node-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose} disabled={update.isPending}>
            Cancel
          </Button>
          <Button
            type="submit"
            form="edit-node-form"
            variant="primary"
            pending={update.isPending}
            pendingText="Saving…"
            data-testid="edit-node-submit"
          >
            Save
          </Button>
        </>
      }
    >
      <form id="edit-node-form" className={styles.form} onSubmit={submit} noValidate>
        <NodeFields
          draft={draft}
          onChange={(patch) => setDraft((d) => ({ ...d, ...patch }))}
          errors={errors}
          selfId={node.id}
          autoFocus
        />
        <p className={styles.sub}>
          Saving closes the pooled connections; the next command connects with the new settings. The host key stays
          pinned: a changed one is reviewed on this page.
        </p>
        {server.general && <Alert>{server.general}</Alert>}
      </form>
    </Dialog>
  );
}

/** Removal asks for the node's name, typed. Mount it when it opens (the typed name starts empty). */
export function RemoveNodeDialog({
  node,
  open,
  onClose,
  onRemoved,
}: {
  node: NodeDetail;
  open: boolean;
  onClose: () => void;
  onRemoved: () => void;
}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [typed, setTyped] = useState('');
  const remove = useMutation(
    trpc.nodes.remove.mutationOptions({
      onSuccess: () => {
        queryClient.removeQueries({ queryKey: trpc.nodes.get.queryKey({ id: node.id }) });
        void queryClient.invalidateQueries({ queryKey: trpc.nodes.list.queryKey() });
        toast({ tone: 'green', title: `${node.name} removed`, body: 'Its SSH key was deleted with it.' });
        onRemoved();
      },
    }),
  );
  const matches = typed.trim() === node.name;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (matches) remove.mutate({ id: node.id });
  };
  return (
    <Dialog
      open={open}
      onClose={() => !remove.isPending && onClose()}
      title={`Remove ${node.name}?`}
      data-testid="remove-node-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose} disabled={remove.isPending}>
            Cancel
          </Button>
          <Button
            type="submit"
            form="remove-node-form"
            variant="danger"
            disabled={!matches}
            pending={remove.isPending}
            pendingText="Removing…"
            data-testid="confirm-button"
          >
            Remove node
          </Button>
        </>
      }
    >
      <form id="remove-node-form" className={styles.form} onSubmit={submit} noValidate>
        <p>
          serverbox forgets <strong className={styles.strong}>{node.name}</strong> ({node.host}:{node.port}), its pinned
          host key and its own SSH key (the fleet key stays, for the other nodes). Nothing on the server itself changes:
          remove the key from its <code>authorized_keys</code> too if it should no longer let serverbox in.
        </p>
        <Input
          label={`Type ${node.name} to confirm`}
          name="confirmName"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          data-testid="remove-confirm-name"
        />
        {remove.error && <Alert>{errorMessage(remove.error)}</Alert>}
      </form>
    </Dialog>
  );
}

/** The node's public key and install command: a sensitive read, so it may ask for the password. */
export function InstallCommandDialog({
  node,
  open,
  onClose,
}: {
  node: NodeDetail;
  open: boolean;
  onClose: () => void;
}) {
  const key = useQuery({
    ...trpc.nodes.publicKey.queryOptions({ id: node.id }),
    enabled: open,
    staleTime: Number.POSITIVE_INFINITY,
  });
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={`Install the key of ${node.name}`}
      wide
      data-testid="install-command-dialog"
      footer={
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      }
    >
      {key.data ? (
        <>
          <InstallKey
            publicKey={key.data.publicKey}
            installCommand={key.data.installCommand}
            username={node.username}
          />
          {key.data.scope === 'fleet' && (
            <p className={styles.sub}>This is the fleet key: every node that uses it shares this line.</p>
          )}
        </>
      ) : key.isPending ? (
        <LoadingState label="Loading the public key…" />
      ) : needsReauth(key.error) ? (
        <ReauthPrompt onConfirmed={() => void key.refetch()} />
      ) : (
        <ErrorState error={key.error} title="Could not load the public key" onRetry={() => void key.refetch()} />
      )}
    </Dialog>
  );
}
