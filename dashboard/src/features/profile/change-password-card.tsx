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
import { NewPasswordFields } from '../auth/new-password-fields';
import type { Me } from '../auth/use-me';
import { useNewPassword } from '../auth/use-new-password';

const endedText = (n: number) =>
  n === 0 ? 'No other session was signed in.' : `${n} other ${n === 1 ? 'session was' : 'sessions were'} signed out.`;

export function ChangePasswordCard({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [currentPassword, setCurrentPassword] = useState('');
  const pw = useNewPassword();
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: ({ otherSessionsEnded }) => {
        setCurrentPassword('');
        pw.clear();
        toast({ tone: 'green', title: 'Password changed', body: endedText(otherSessionsEnded) });
        void queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() });
      },
    }),
  );
  const fields = fieldErrors(change.error);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (pw.matches()) change.mutate({ currentPassword, newPassword: pw.password });
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
          value={currentPassword}
          onChange={(e) => setCurrentPassword(e.target.value)}
          error={fields.currentPassword}
        />
        <NewPasswordFields
          {...pw.fields}
          name={me.user.name}
          email={me.user.email}
          error={fields.newPassword ?? fields.password}
          labels={['New password', 'Repeat new password']}
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
