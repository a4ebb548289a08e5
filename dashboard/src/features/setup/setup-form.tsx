import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { errorCode, errorMessage, fieldErrors } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { Input } from '../../ui/input';
import { Alert } from '../../ui/states';
import styles from '../auth/form.module.css';
import { NewPasswordFields } from '../auth/new-password-fields';
import { startSignedIn } from '../auth/use-me';
import { useNewPassword } from '../auth/use-new-password';
import { forgetSetupToken } from './setup-token';

export function SetupForm({ token, cliCommand }: { token: string; cliCommand: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ email: '', name: '' });
  const pw = useNewPassword();
  const setup = useMutation(
    trpc.auth.setup.mutationOptions({
      onSuccess: async (me) => {
        forgetSetupToken();
        startSignedIn(queryClient, me);
        await router.navigate({ to: '/' });
      },
    }),
  );
  const fields = fieldErrors(setup.error);
  const forbidden = errorCode(setup.error) === 'FORBIDDEN' || Boolean(fields.token);
  const shownField = Boolean(fields.email || fields.name || fields.password);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (pw.matches()) setup.mutate({ token, email: form.email, name: form.name, password: pw.password });
  };

  if (forbidden) {
    return (
      <div className={styles.notice} data-testid="setup-forbidden">
        <Alert>
          {fields.token ? 'This setup link is incomplete or malformed: copy it again.' : errorMessage(setup.error)}
        </Alert>
        <p>Restart the core to print a fresh setup link, or create the admin from a shell on the core:</p>
        <code className={styles.command}>{cliCommand}</code>
      </div>
    );
  }

  return (
    <form className={styles.form} onSubmit={submit} noValidate data-testid="setup-form">
      <Input
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        autoFocus
        value={form.email}
        onChange={set('email')}
        error={fields.email}
      />
      <Input
        label="Name"
        name="name"
        autoComplete="name"
        placeholder="Ada Lovelace"
        value={form.name}
        onChange={set('name')}
        error={fields.name}
      />
      <NewPasswordFields {...pw.fields} name={form.name} email={form.email} error={fields.password} />
      {setup.error && !shownField && <Alert>{errorMessage(setup.error)}</Alert>}
      <div className={styles.actions}>
        <Button type="submit" variant="primary" block pending={setup.isPending} pendingText="Creating admin…">
          Create admin and sign in
        </Button>
      </div>
    </form>
  );
}
