import type { HTMLAttributes, ReactNode } from 'react';
import styles from './card.module.css';

interface CardProps extends Omit<HTMLAttributes<HTMLElement>, 'title'> {
  title?: ReactNode;
  description?: ReactNode;
  /** Right-aligned in the header: badges, buttons. */
  actions?: ReactNode;
  /** Content that runs to the card's edges (lists) instead of padded. */
  flush?: boolean;
}

export function Card({ title, description, actions, flush = false, className, children, ...rest }: CardProps) {
  return (
    <section className={[styles.card, className ?? ''].join(' ')} {...rest}>
      {(title || actions) && (
        <header className={styles.header}>
          <div className={styles.heading}>
            {title && <h2 className={styles.title}>{title}</h2>}
            {description && <p className={styles.description}>{description}</p>}
          </div>
          {actions && <div className={styles.actions}>{actions}</div>}
        </header>
      )}
      <div className={flush ? styles.flush : styles.body}>{children}</div>
    </section>
  );
}
