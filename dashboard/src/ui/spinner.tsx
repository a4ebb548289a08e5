import styles from './spinner.module.css';

/** Decorative next to a label that says what is happening; with `label`, it is the status itself. */
export function Spinner({ size = 14, label }: { size?: number; label?: string }) {
  const style = { width: size, height: size };
  if (label) return <span className={styles.spinner} style={style} role="status" aria-label={label} />;
  return <span className={styles.spinner} style={style} aria-hidden="true" />;
}
