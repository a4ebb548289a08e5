import type { ButtonHTMLAttributes, ReactNode } from 'react';
import styles from './button.module.css';
import { Spinner } from './spinner';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: 'primary' | 'secondary' | 'ghost' | 'danger';
  size?: 'sm' | 'md';
  /** Shows a spinner, swaps the label for `pendingText` and disables the button. */
  pending?: boolean;
  pendingText?: ReactNode;
  block?: boolean;
}

/** The button look for something that is not a button (a download link). */
export function buttonClass({
  variant = 'secondary',
  size = 'md',
}: {
  variant?: ButtonProps['variant'];
  size?: ButtonProps['size'];
} = {}) {
  return `${styles.button} ${styles[variant]} ${styles[size]}`;
}

export function Button({
  variant = 'secondary',
  size = 'md',
  pending = false,
  pendingText,
  block = false,
  disabled,
  className,
  children,
  type = 'button',
  ...rest
}: ButtonProps) {
  const classes = [styles.button, styles[variant], styles[size], block ? styles.block : '', className ?? '']
    .filter(Boolean)
    .join(' ');
  return (
    <button type={type} className={classes} disabled={disabled || pending} aria-busy={pending || undefined} {...rest}>
      {pending && <Spinner size={13} />}
      <span>{pending && pendingText ? pendingText : children}</span>
    </button>
  );
}
