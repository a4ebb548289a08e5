import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { errorMessage } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { Alert, LoadingState } from '../../ui/states';
import { AuthLayout } from '../auth/auth-layout';
import styles from '../auth/form.module.css';
import { SetupForm } from './setup-form';
import { useSetupToken } from './setup-token';

const cliCommand = 'npm run serverbox -- admin create --email you@example.com';

export function SetupPage() {
  const status = useQuery(trpc.auth.setupStatus.queryOptions());
  const token = useSetupToken();

  if (status.isPending) {
    return (
      <AuthLayout title="Set up serverbox">
        <LoadingState label="Checking whether serverbox needs setting up…" />
      </AuthLayout>
    );
  }
  if (status.isError) {
    return (
      <AuthLayout title="Set up serverbox">
        <Alert>{errorMessage(status.error)}</Alert>
      </AuthLayout>
    );
  }
  if (!status.data.needsSetup) {
    return (
      <AuthLayout title="Already set up" subtitle="serverbox already has an admin account.">
        <div className={styles.notice} data-testid="setup-done">
          <p>Setup links work only once, before the first admin exists.</p>
          <p>
            <Link to="/login">Sign in</Link> with your account instead.
          </p>
        </div>
      </AuthLayout>
    );
  }
  if (!token) {
    return (
      <AuthLayout title="Open your setup link" subtitle="This page needs the one-time link the core printed.">
        <div className={styles.notice} data-testid="setup-no-token">
          <p>
            When serverbox starts without an admin it prints a setup link (valid for 30 minutes) in its log. Open that
            link in this browser. A restart of the core prints a fresh one.
          </p>
          <p>Or create the first admin from a shell on the core:</p>
          <code className={styles.command}>{cliCommand}</code>
        </div>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout
      wide
      title="Create the first admin"
      subtitle="This account can manage everything in serverbox. You will be signed in right away."
      footer="The setup link works once. It has already been removed from the address bar."
    >
      <SetupForm token={token} cliCommand={cliCommand} />
    </AuthLayout>
  );
}
