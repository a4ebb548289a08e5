import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { Input } from '../../ui/input';
import formStyles from './form.module.css';
import styles from './reauth-prompt.module.css';

/**
 * Shown in place of an error when the core refuses a sensitive action (changing a role,
 * creating a guest link or a token) because the password was last proven over 5 minutes
 * ago: asks for it, or for a 2FA code when the account has 2FA, confirms it with
 * auth.confirm, then lets the caller retry the action.
 */
export function ReauthPrompt({ onConfirmed }: { onConfirmed: () => void }) {
  const [secret, setSecret] = useState('');
  const [withCode, setWithCode] = useState(false);
  const twoFactor = useQuery(trpc.twoFactor.status.queryOptions());
  const confirm = useMutation(
    trpc.auth.confirm.mutationOptions({
      onSuccess: () => {
        setSecret('');
        onConfirmed();
      },
      onError: () => setSecret(''),
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    confirm.mutate(withCode ? { code: secret.trim() } : { password: secret });
  };
  const toggle = () => {
    setWithCode((w) => !w);
    setSecret('');
    confirm.reset();
  };
  return (
    <form className={styles.prompt} onSubmit={submit} noValidate data-testid="reauth-prompt">
      <div>
        <p className={styles.title}>Confirm it is you</p>
        <p className={styles.text}>
          This change needs your {withCode ? 'authentication code' : 'password'} when you signed in more than 5 minutes
          ago. It then goes through at once.
        </p>
      </div>
      <div className={styles.row}>
        {withCode ? (
          <Input
            key="code"
            label="Authentication or recovery code"
            name="code"
            autoComplete="one-time-code"
            autoFocus
            spellCheck={false}
            maxLength={20}
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            aria-invalid={confirm.isError || undefined}
          />
        ) : (
          <Input
            key="password"
            label="Your password"
            name="password"
            type="password"
            autoComplete="current-password"
            autoFocus
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            aria-invalid={confirm.isError || undefined}
          />
        )}
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
      {twoFactor.data?.enabled && (
        <div>
          <button type="button" className={formStyles.linkButton} onClick={toggle} data-testid="reauth-switch">
            {withCode ? 'Use your password instead' : 'Use a two-factor code instead'}
          </button>
        </div>
      )}
    </form>
  );
}
