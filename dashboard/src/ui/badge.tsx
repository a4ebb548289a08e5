import type { ReactNode } from 'react';
import styles from './badge.module.css';

export type Tone = 'neutral' | 'accent' | 'green' | 'amber' | 'red';

export function Badge({
  tone = 'neutral',
  dot = false,
  pulse = false,
  children,
  ...rest
}: {
  tone?: Tone;
  dot?: boolean;
  pulse?: boolean;
  children: ReactNode;
  'data-testid'?: string;
  title?: string;
}) {
  return (
    <span className={`${styles.badge} ${styles[tone]}`} {...rest}>
      {dot && <span className={`${styles.dot} ${pulse ? styles.pulse : ''}`} aria-hidden />}
      {children}
    </span>
  );
}
