import { Link } from '@tanstack/react-router';
import { buttonClass } from '../../ui/button';
import { IconKey } from '../../ui/icons';
import styles from './enrol-gate.module.css';

/**
 * In place of every page but Profile while the instance policy requires 2FA of a user who
 * has none: the core refuses everything else to them until they enrol.
 */
export function EnrolGate() {
  return (
    <section className={styles.gate} role="alert" data-testid="enrol-gate">
      <span className={styles.icon} aria-hidden>
        <IconKey />
      </span>
      <h1 className={styles.title}>Your administrator requires two-factor authentication</h1>
      <p className={styles.text}>
        Turn it on from your profile with an authenticator app; it takes a minute. Until then, serverbox shows nothing
        else.
      </p>
      <Link to="/settings/profile" className={buttonClass({ variant: 'primary' })} data-testid="enrol-gate-profile">
        Set up two-factor authentication
      </Link>
    </section>
  );
}
