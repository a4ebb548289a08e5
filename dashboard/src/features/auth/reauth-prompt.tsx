import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { Input } from '../../ui/input';
import styles from './reauth-prompt.module.css';

/**
 * Shown in place of an error when the core refuses a sensitive action (changing a role,
 * creating a guest link) because the password was last proven over 5 minutes ago:
 * asks for it, confirms it with auth.confirm, then lets the caller retry the action.
 */
export function ReauthPrompt({ onConfirmed }: { onConfirmed: () => void }) {
  const [password, setPassword] = useState('');
  const confirm = useMutation(
    trpc.auth.confirm.mutationOptions({
      onSuccess: () => {
        setPassword('');
        onConfirmed();
      },
      onError: () => setPassword(''),
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    confirm.mutate({ password });
  };
  return (
    <form className={styles.prompt} onSubmit={submit} noValidate data-testid="reauth-prompt">
      <div>
        <p className={styles.title}>Confirm it is you</p>
        <p className={styles.text}>
          This change needs your password when you signed in more than 5 minutes ago. It then goes through at once.
        </p>
      </div>
      <div className={styles.row}>
        <Input
          label="Your password"
          name="password"
          type="password"
          autoComplete="current-password"
          autoFocus
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={confirm.isError || undefined}
        />
        <Button
          type="submit"
          variant="primary"
          pending={confirm.isPending}
          pendingText="Confirming…"
          data-testid="reauth-confirm"
        >
          Confirm
        </Button>
      </div>
      {/* Below the row, not inside the field: the button stays level with the input. */}
      {confirm.error && (
        <p className={styles.error} role="alert">
          {errorMessage(confirm.error)}
        </p>
      )}
    </form>
  );
}
