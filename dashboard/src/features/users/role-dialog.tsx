import { useEffect, useState } from 'react';
import { Button } from '../../ui/button';
import { Dialog } from '../../ui/dialog';
import { Select } from '../../ui/select';
import { Alert } from '../../ui/states';
import { ReauthPrompt } from '../auth/reauth-prompt';
import { plural, type Role, roleDescription, roles, type UserRow } from './queries';
import styles from './users.module.css';

/** Picks the new role and says what it costs: every session of that user ends. */
export function RoleDialog({
  user,
  isMe,
  pending,
  error,
  reauth,
  onConfirm,
  onCancel,
}: {
  user: UserRow | null;
  isMe: boolean;
  pending: boolean;
  error?: string;
  /** The core wants the password proven again before it changes a role. */
  reauth: boolean;
  onConfirm: (role: Role) => void;
  onCancel: () => void;
}) {
  const [role, setRole] = useState<Role>(user?.role ?? 'viewer');
  useEffect(() => {
    if (user) setRole(user.role);
  }, [user]);
  const unchanged = role === user?.role;
  return (
    <Dialog
      open={user !== null}
      onClose={() => !pending && onCancel()}
      title={`Change the role of ${user?.name}`}
      data-testid="role-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
          <Button
            variant="danger"
            disabled={unchanged || reauth}
            pending={pending}
            pendingText="Changing role…"
            onClick={() => onConfirm(role)}
            data-testid="confirm-button"
          >
            {unchanged ? 'Change role' : `Make ${role}`}
          </Button>
        </>
      }
    >
      {user && (
        <>
          <Select label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="role-select">
            {roles.map((r) => (
              <option key={r} value={r}>
                {r[0]?.toUpperCase() + r.slice(1)}
                {r === user.role ? ' (current)' : ''}
              </option>
            ))}
          </Select>
          <p className={styles.meta}>{roleDescription[role]}</p>
          <p>
            <strong className={styles.strong}>
              {user.name} ({user.email})
            </strong>{' '}
            will be signed out everywhere
            {user.activeSessions > 0 ? ` (${plural(user.activeSessions, 'session', 'sessions')})` : ''} and sign in
            again with the new role&rsquo;s permissions.
            {isMe && ' That includes you, in this browser.'}
          </p>
          {reauth ? <ReauthPrompt onConfirmed={() => onConfirm(role)} /> : error && <Alert>{error}</Alert>}
        </>
      )}
    </Dialog>
  );
}
