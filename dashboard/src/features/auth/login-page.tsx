import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { errorCode, errorMessage, fieldErrors, retryAfterSeconds, twoFactorChallenge } from '../../lib/errors';
import { safeRedirect } from '../../lib/redirect';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { Input } from '../../ui/input';
import { Alert } from '../../ui/states';
import { AuthLayout } from './auth-layout';
import styles from './form.module.css';
import { TwoFactorStep } from './two-factor-step';
import { type Me, startSignedIn } from './use-me';

function waitHint(seconds: number | undefined) {
  if (!seconds) return '';
  return seconds < 90 ? ` (about ${seconds} s)` : ` (about ${Math.ceil(seconds / 60)} minutes)`;
}

export function LoginPage({ redirect }: { redirect?: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  /** Set once the password was right for an account with 2FA: the code step shows. */
  const [challenge, setChallenge] = useState<string | null>(null);
  const [restartReason, setRestartReason] = useState<string | null>(null);
  const setupStatus = useQuery(trpc.auth.setupStatus.queryOptions());
  const signedIn = async (me: Omit<Me, 'kind'>) => {
    startSignedIn(queryClient, me);
    await router.history.push(safeRedirect(redirect));
  };
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: signedIn,
      onError: (err) => {
        setPassword('');
        const c = twoFactorChallenge(err);
        if (c) setChallenge(c);
      },
    }),
  );
  const fields = fieldErrors(login.error);
  const code = errorCode(login.error);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setRestartReason(null);
    login.mutate({ email, password });
  };

  if (challenge) {
    return (
      <AuthLayout
        title="Two-factor authentication"
        subtitle={<span data-testid="two-factor-email">{email}</span>}
        footer="serverbox · self-hosted control plane"
      >
        <TwoFactorStep
          challenge={challenge}
          onSignedIn={(me) => void signedIn(me)}
          onRestart={(reason) => {
            setChallenge(null);
            login.reset();
            setRestartReason(reason ?? null);
          }}
        />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Sign in"
      subtitle={
        setupStatus.data?.needsSetup ? 'serverbox has no account yet.' : 'Welcome back. Sign in to manage your servers.'
      }
      footer="serverbox · self-hosted control plane"
    >
      {setupStatus.data?.needsSetup && (
        <Alert tone="amber">
          <span data-testid="needs-setup">
            No admin yet: open the setup link printed in the core&rsquo;s log, or run{' '}
            <code>npm run serverbox -- admin create --email you@example.com</code>
          </span>
        </Alert>
      )}
      <form className={styles.form} onSubmit={submit} noValidate data-testid="login-form">
        <Input
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          autoFocus
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fields.email}
        />
        <Input
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fields.password}
        />
        {restartReason && (
          <Alert tone="amber">
            <span data-testid="login-error">{restartReason}</span>
          </Alert>
        )}
        {login.error && !twoFactorChallenge(login.error) && !fields.email && !fields.password && (
          <Alert tone={code === 'TOO_MANY_REQUESTS' ? 'amber' : 'red'}>
            <span data-testid="login-error">
              {errorMessage(login.error)}
              {code === 'TOO_MANY_REQUESTS' && waitHint(retryAfterSeconds(login.error))}
            </span>
          </Alert>
        )}
        <div className={styles.actions}>
          <Button type="submit" variant="primary" block pending={login.isPending} pendingText="Signing in…">
            Sign in
          </Button>
        </div>
      </form>
    </AuthLayout>
  );
}
