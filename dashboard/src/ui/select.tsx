import { type ReactNode, type SelectHTMLAttributes, useId } from 'react';
import styles from './input.module.css';

export interface SelectProps extends SelectHTMLAttributes<HTMLSelectElement> {
  label: string;
  children: ReactNode;
}

/** A labelled native <select>, styled like Input. */
export function Select({ label, id, className, children, ...rest }: SelectProps) {
  const auto = useId();
  const selectId = id ?? auto;
  return (
    <div className={[styles.field, className ?? ''].join(' ')}>
      <label className={styles.label} htmlFor={selectId}>
        {label}
      </label>
      <select id={selectId} className={`${styles.input} ${styles.select}`} {...rest}>
        {children}
      </select>
    </div>
  );
}
