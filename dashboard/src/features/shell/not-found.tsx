import { Link } from '@tanstack/react-router';
import { AuthLayout } from '../auth/auth-layout';
import styles from '../auth/form.module.css';

export function NotFound() {
  return (
    <AuthLayout title="Page not found" subtitle="There is nothing at this address.">
      <p className={styles.notice}>
        <Link to="/">Go to the overview</Link>
      </p>
    </AuthLayout>
  );
}
