import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorMessage, needsReauth } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { ConfirmDialog } from '../../ui/dialog';
import { useToast } from '../../ui/toast';
import { endedText, plural, type UserRow } from './queries';
import { RoleDialog } from './role-dialog';
import styles from './users.module.css';

export type UserAction = { kind: 'role' | 'disable' | 'enable' | 'signOut'; user: UserRow };

const Name = ({ user }: { user: UserRow }) => (
  <strong className={styles.strong}>
    {user.name} ({user.email})
  </strong>
);

/** The confirmation for one row action; the server's refusal (last admin, own account) shows in it. */
export function UserActionDialog({
  action,
  meId,
  onClose,
}: {
  action: UserAction | null;
  meId: string;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const user = action?.user;
  const isMe = user?.id === meId;
  const done = (title: string, body: string) => {
    toast({ tone: 'green', title, body });
    void queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
    onClose();
  };
  const setRole = useMutation(
    trpc.users.setRole.mutationOptions({
      onSuccess: (r, v) => done(`${user?.name}’s role is now ${v.role}`, endedText(r.sessionsEnded)),
    }),
  );
  const setDisabled = useMutation(
    trpc.users.setDisabled.mutationOptions({
      onSuccess: (r, v) =>
        v.disabled
          ? done(`${user?.name} is disabled`, endedText(r.sessionsEnded))
          : done(`${user?.name} is enabled`, 'They can sign in again.'),
    }),
  );
  const signOut = useMutation(
    trpc.users.forceSignOut.mutationOptions({
      onSuccess: (r) => done(`${user?.name} is signed out everywhere`, endedText(r.sessionsEnded)),
    }),
  );
  const cancel = () => {
    for (const m of [setRole, setDisabled, signOut]) m.reset();
    onClose();
  };
  const sessions = user ? plural(user.activeSessions, 'active session', 'active sessions') : '';

  return (
    <>
      <RoleDialog
        user={action?.kind === 'role' ? action.user : null}
        isMe={isMe}
        pending={setRole.isPending}
        error={setRole.error ? errorMessage(setRole.error) : undefined}
        reauth={needsReauth(setRole.error)}
        onConfirm={(role) => user && setRole.mutate({ userId: user.id, role })}
        onCancel={cancel}
      />
      <ConfirmDialog
        open={action?.kind === 'disable'}
        title={`Disable ${user?.name}?`}
        confirmLabel="Disable account"
        pendingLabel="Disabling…"
        pending={setDisabled.isPending}
        error={setDisabled.error ? errorMessage(setDisabled.error) : undefined}
        onConfirm={() => user && setDisabled.mutate({ userId: user.id, disabled: true })}
        onCancel={cancel}
      >
        {user && (
          <p>
            <Name user={user} /> will not be able to sign in, and their {sessions} end now. You can enable the account
            again later.
          </p>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={action?.kind === 'enable'}
        tone="primary"
        title={`Enable ${user?.name}?`}
        confirmLabel="Enable account"
        pendingLabel="Enabling…"
        pending={setDisabled.isPending}
        error={setDisabled.error ? errorMessage(setDisabled.error) : undefined}
        onConfirm={() => user && setDisabled.mutate({ userId: user.id, disabled: false })}
        onCancel={cancel}
      >
        {user && (
          <p>
            <Name user={user} /> will be able to sign in again, as {user.role}.
          </p>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={action?.kind === 'signOut'}
        title={`Sign ${user?.name} out everywhere?`}
        confirmLabel="Sign out everywhere"
        pendingLabel="Signing out…"
        pending={signOut.isPending}
        error={signOut.error ? errorMessage(signOut.error) : undefined}
        onConfirm={() => user && signOut.mutate({ userId: user.id })}
        onCancel={cancel}
      >
        {user && (
          <p>
            This ends the {sessions} of <Name user={user} />, open tabs included. They can sign in again.
            {isMe && ' That includes this browser: you will be signed out too.'}
          </p>
        )}
      </ConfirmDialog>
    </>
  );
}
