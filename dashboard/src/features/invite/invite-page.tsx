import { Link } from '@tanstack/react-router';
import { AuthLayout } from '../auth/auth-layout';
import styles from '../auth/form.module.css';
import { InviteForm } from './invite-form';
import { useInviteToken } from './invite-token';

/** Where an invitation link leads: choose a name and password, and be signed in. */
export function InvitePage() {
  const token = useInviteToken();
  if (!token) {
    return (
      <AuthLayout title="Open your invitation link" subtitle="This page needs the link an admin sent you.">
        <div className={styles.notice} data-testid="invite-no-token">
          <p>
            An invitation link ends in <code>#token=…</code>. Open the whole link from the message you received, in this
            browser. Invitations work once and expire.
          </p>
          <p>
            Already have an account? <Link to="/login">Sign in</Link>
          </p>
        </div>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout
      wide
      title="Join serverbox"
      subtitle="You have been invited. Choose the name others will see and a password; you will be signed in right away."
      footer="The invitation link works once. It has already been removed from the address bar."
    >
      <InviteForm token={token} />
    </AuthLayout>
  );
}
