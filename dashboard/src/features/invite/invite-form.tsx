import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useRouter } from '@tanstack/react-router';
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
import { forgetInviteToken } from './invite-token';

/** Name and password for an invited account; the invitation decides the email and role. */
export function InviteForm({ token }: { token: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const pw = useNewPassword();
  const accept = useMutation(
    trpc.users.acceptInvite.mutationOptions({
      onSuccess: async (me) => {
        forgetInviteToken();
        startSignedIn(queryClient, me);
        await router.navigate({ to: '/' });
      },
    }),
  );
  const fields = fieldErrors(accept.error);
  // The core refuses an unknown, used, revoked or expired invitation with FORBIDDEN; a
  // token of the wrong shape (a link cut short in an email) fails validation instead.
  const refused = errorCode(accept.error) === 'FORBIDDEN' || Boolean(fields.token);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (pw.matches()) accept.mutate({ token, name, password: pw.password });
  };

  if (refused) {
    return (
      <div className={styles.notice} data-testid="invite-refused">
        <Alert>
          {fields.token
            ? 'This invitation link is incomplete: copy it again from the message.'
            : errorMessage(accept.error)}
        </Alert>
        <p>Invitations work once and expire. Ask the admin who invited you for a new one.</p>
        <p>
          Already have an account? <Link to="/login">Sign in</Link>
        </p>
      </div>
    );
  }

  return (
    <form className={styles.form} onSubmit={submit} noValidate data-testid="invite-form">
      <Input
        label="Name"
        name="name"
        autoComplete="name"
        autoFocus
        placeholder="Grace Hopper"
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={fields.name}
      />
      <NewPasswordFields {...pw.fields} name={name} error={fields.password} />
      {accept.error && !fields.name && !fields.password && <Alert>{errorMessage(accept.error)}</Alert>}
      <div className={styles.actions}>
        <Button type="submit" variant="primary" block pending={accept.isPending} pendingText="Creating your account…">
          Create account and sign in
        </Button>
      </div>
    </form>
  );
}
