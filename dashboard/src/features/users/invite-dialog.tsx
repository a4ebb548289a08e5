import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorMessage, fieldErrors } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { CreateDialog } from '../../ui/create-dialog';
import { Input } from '../../ui/input';
import { OneTimeLink } from '../../ui/one-time-link';
import { Select } from '../../ui/select';
import { Alert } from '../../ui/states';
import authForm from '../auth/form.module.css';
import { type Role, roleDescription, roles } from './queries';
import styles from './users.module.css';

const blank = { email: '', role: 'operator' as Role };

/** Email and role in; the one-time invitation link out, shown once. */
export function InviteDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState(blank);
  const invite = useMutation(
    trpc.users.invite.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.users.invites.queryKey() }),
    }),
  );
  const fields = fieldErrors(invite.error);
  const close = () => {
    if (invite.isPending) return;
    onClose();
    invite.reset();
    setForm(blank);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate(form);
  };
  const created = invite.data;

  return (
    <CreateDialog
      open={open}
      onClose={close}
      created={Boolean(created)}
      title="Invite a user"
      createdTitle="Invitation ready"
      formId="invite-user-form"
      submitLabel="Create invitation"
      pendingText="Creating invitation…"
      pending={invite.isPending}
      testId="invite"
    >
      {created ? (
        <>
          <p>
            Send this link to <strong className={styles.strong}>{invite.variables?.email}</strong>. Whoever opens it
            chooses a name and password and joins as {invite.variables?.role}. It works once.
          </p>
          <OneTimeLink
            label="Invitation link"
            url={`${location.origin}/invite#token=${created.token}`}
            expiresAt={created.expiresAt}
            data-testid="invite-link"
          />
        </>
      ) : (
        <form id="invite-user-form" className={authForm.form} onSubmit={submit} noValidate>
          <Input
            label="Email"
            name="email"
            type="email"
            autoComplete="off"
            autoFocus
            placeholder="grace@example.com"
            value={form.email}
            onChange={(e) => setForm((f) => ({ ...f, email: e.target.value }))}
            error={fields.email}
            hint="A new invitation for the same address replaces a pending one."
          />
          <div>
            <Select
              label="Role"
              value={form.role}
              onChange={(e) => setForm((f) => ({ ...f, role: e.target.value as Role }))}
              data-testid="invite-role"
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r[0]?.toUpperCase() + r.slice(1)}
                </option>
              ))}
            </Select>
            <p className={styles.hint}>{roleDescription[form.role]}</p>
          </div>
          {invite.error && !fields.email && <Alert>{errorMessage(invite.error)}</Alert>}
        </form>
      )}
    </CreateDialog>
  );
}
