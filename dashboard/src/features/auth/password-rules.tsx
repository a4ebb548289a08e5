import styles from './password-rules.module.css';

// A live hint mirroring the core's rule (core/src/modules/access/password-policy.ts).
// The core decides: whatever it answers is shown next to the field.
export function passwordChecks(password: string, who: { name?: string; email?: string }) {
  const lower = password.toLowerCase();
  const personal = [who.email?.split('@')[0], ...(who.name?.split(/\s+/) ?? [])]
    .map((s) => s?.toLowerCase().trim() ?? '')
    .filter((s) => s.length >= 4);
  return [
    { label: 'At least 12 characters', ok: password.length >= 12 },
    { label: 'At least 5 different characters', ok: new Set(password).size >= 5 },
    {
      label: 'Does not contain your name or email',
      ok: password.length > 0 && !personal.some((p) => lower.includes(p)),
    },
  ];
}

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
