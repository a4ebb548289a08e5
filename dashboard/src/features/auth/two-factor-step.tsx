import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorCode, errorMessage } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { Input } from '../../ui/input';
import { Alert } from '../../ui/states';
import styles from './form.module.css';
import type { Me } from './use-me';

type SignedIn = Omit<Me, 'kind'>;

/**
 * The second step of signing in to an account with 2FA: a 6-digit code from the
 * authenticator app, or one of the recovery codes. Too many wrong codes end the challenge.
 */
export function TwoFactorStep({
  challenge,
  onSignedIn,
  onRestart,
}: {
  challenge: string;
  onSignedIn: (me: SignedIn) => void;
  /** Back to the password (the challenge expired or allowed no more tries). */
  onRestart: (reason?: string) => void;
}) {
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState('');
  const verify = useMutation(
    trpc.auth.loginTwoFactor.mutationOptions({
      onSuccess: (me) => onSignedIn(me),
      onError: (err) => {
        setCode('');
        if (errorCode(err) === 'TOO_MANY_REQUESTS') onRestart('Too many wrong codes. Sign in again.');
        else if (/expired/i.test(errorMessage(err))) onRestart(errorMessage(err));
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    verify.mutate({ challenge, code: code.trim() });
  };
  const switchMode = () => {
    setRecovery((r) => !r);
    setCode('');
    verify.reset();
  };

  return (
    <form className={styles.form} onSubmit={submit} noValidate data-testid="two-factor-form">
      <p className={styles.lead}>
        {recovery
          ? 'Enter one of the recovery codes you saved when you turned on two-factor authentication. Each works once.'
          : 'Open your authenticator app and enter the 6-digit code it shows for serverbox.'}
      </p>
      {recovery ? (
        <Input
          key="recovery"
          label="Recovery code"
          name="recoveryCode"
          autoComplete="off"
          autoFocus
          spellCheck={false}
          placeholder="xxxxx-xxxxx"
          maxLength={20}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          className={styles.code}
        />
      ) : (
        <Input
          key="totp"
          label="Authentication code"
          name="code"
          autoComplete="one-time-code"
          inputMode="numeric"
          pattern="[0-9]*"
          autoFocus
          placeholder="123456"
          maxLength={6}
          value={code}
          onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
          className={styles.code}
        />
      )}
      {verify.error && (
        <Alert>
          <span data-testid="two-factor-error">{errorMessage(verify.error)}</span>
        </Alert>
      )}
      <div className={styles.actions}>
        <Button
          type="submit"
          variant="primary"
          block
          disabled={recovery ? code.trim().length < 10 : code.length !== 6}
          pending={verify.isPending}
          pendingText="Verifying…"
          data-testid="two-factor-submit"
        >
          Verify and sign in
        </Button>
        <div className={styles.links}>
          <button type="button" className={styles.linkButton} onClick={switchMode} data-testid="two-factor-switch">
            {recovery ? 'Use the authenticator app' : 'Use a recovery code'}
          </button>
          <button type="button" className={styles.linkButton} onClick={() => onRestart()}>
            Back to password
          </button>
        </div>
      </div>
    </form>
  );
}
