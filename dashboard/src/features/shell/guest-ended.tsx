import { Link } from '@tanstack/react-router';
import { AuthLayout } from '../auth/auth-layout';
import styles from '../auth/form.module.css';

/** What a guest sees once the link is revoked or expires, in place of the pages it opened. */
export function GuestEnded() {
  return (
    <AuthLayout
      title="This guest access has ended"
      subtitle="The session was ended, or the link was revoked or has expired."
    >
      <div className={styles.notice} data-testid="guest-ended">
        <p>
          Guest links are time-limited and can be withdrawn at any moment by whoever shared them. Ask them for a new
          link if you still need access.
        </p>
        <p>
          Have an account? <Link to="/login">Sign in</Link>
        </p>
      </div>
    </AuthLayout>
  );
}
