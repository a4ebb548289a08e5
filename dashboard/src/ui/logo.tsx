import styles from './logo.module.css';

export function Logo({ size = 28 }: { size?: number }) {
  return (
    <span className={styles.logo}>
      <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden>
        <rect width="32" height="32" rx="8" fill="var(--surface-raised)" stroke="var(--border)" />
        <rect x="8" y="8" width="16" height="6" rx="2" fill="var(--accent)" />
        <rect x="8" y="18" width="16" height="6" rx="2" fill="var(--accent)" opacity=".55" />
        <circle cx="11.5" cy="11" r="1.2" fill="var(--bg)" />
        <circle cx="11.5" cy="21" r="1.2" fill="var(--bg)" />
      </svg>
      <span className={styles.word}>serverbox</span>
    </span>
  );
}
