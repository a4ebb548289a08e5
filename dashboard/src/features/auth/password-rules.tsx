import { passwordChecks } from '@serverbox/core/password-policy';
import styles from './password-rules.module.css';

// A live hint from the core's own rule; the core still decides on submit.
export function PasswordRules({ password, name, email }: { password: string; name?: string; email?: string }) {
  return (
    <ul className={styles.rules} aria-label="Password rules">
      {passwordChecks(password, { name, email }).map((c) => (
        <li key={c.label} className={c.ok ? styles.ok : styles.todo}>
          <span className={styles.mark} aria-hidden>
            {c.ok ? '✓' : '•'}
          </span>
          {c.label}
          <span className="sr-only">{c.ok ? ' (met)' : ' (not met yet)'}</span>
        </li>
      ))}
    </ul>
  );
}
