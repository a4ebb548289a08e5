import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorMessage, fieldErrors } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { Input } from '../../ui/input';
import { Alert } from '../../ui/states';
import { useToast } from '../../ui/toast';
import styles from '../auth/form.module.css';
import { PasswordRules } from '../auth/password-rules';
import type { Me } from '../auth/use-me';

const empty = { currentPassword: '', newPassword: '', repeat: '' };

const endedText = (n: number) =>
  n === 0 ? 'No other session was signed in.' : `${n} other ${n === 1 ? 'session was' : 'sessions were'} signed out.`;

export function ChangePasswordCard({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState(empty);
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: ({ otherSessionsEnded }) => {
        setForm(empty);
        toast({ tone: 'green', title: 'Password changed', body: endedText(otherSessionsEnded) });
        void queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() });
      },
    }),
  );
  const fields = fieldErrors(change.error);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMismatch(form.newPassword !== form.repeat);
    if (form.newPassword !== form.repeat) return;
    change.mutate({ currentPassword: form.currentPassword, newPassword: form.newPassword });
  };

  return (
    <Card
      title="Change password"
      description="Changing it signs you out everywhere else."
      data-testid="change-password-card"
    >
      <form className={styles.form} onSubmit={submit} noValidate>
        <Input
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          value={form.currentPassword}
          onChange={set('currentPassword')}
          error={fields.currentPassword}
        />
        <Input
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          value={form.newPassword}
          onChange={set('newPassword')}
          error={fields.newPassword ?? fields.password}
          hint={<PasswordRules password={form.newPassword} name={me.user.name} email={me.user.email} />}
        />
        <Input
          label="Repeat new password"
          name="repeat"
          type="password"
          autoComplete="new-password"
          value={form.repeat}
          onChange={set('repeat')}
          error={mismatch ? 'The passwords do not match.' : undefined}
        />
        {change.error && !fields.currentPassword && !fields.newPassword && !fields.password && (
          <Alert>{errorMessage(change.error)}</Alert>
        )}
        {change.isSuccess && (
          <Alert tone="green">
            <span data-testid="password-changed">Password changed. {endedText(change.data.otherSessionsEnded)}</span>
          </Alert>
        )}
        <div>
          <Button type="submit" variant="primary" pending={change.isPending} pendingText="Changing password…">
            Change password
          </Button>
        </div>
      </form>
    </Card>
  );
}
