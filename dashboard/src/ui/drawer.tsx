import type { ReactNode } from 'react';
import styles from './drawer.module.css';
import { useModal } from './use-modal';

/**
 * A side sheet on the native modal <dialog>, like Dialog: focus is trapped, the page behind
 * is inert, Escape and a click on the backdrop close it.
 */
export function Drawer({
  open,
  onClose,
  title,
  subtitle,
  children,
  ...rest
}: {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  subtitle?: ReactNode;
  children: ReactNode;
  'data-testid'?: string;
}) {
  const { titleId, dialogProps } = useModal(open, onClose);
  return (
    <dialog {...dialogProps} className={styles.drawer} data-testid={rest['data-testid']}>
      {open && (
        <div className={styles.panel}>
          <header className={styles.header}>
            <div className={styles.heading}>
              <h2 id={titleId} className={styles.title}>
                {title}
              </h2>
              {subtitle && <div className={styles.subtitle}>{subtitle}</div>}
            </div>
            <button type="button" className={styles.close} onClick={onClose} aria-label="Close">
              ×
            </button>
          </header>
          <div className={styles.body}>{children}</div>
        </div>
      )}
    </dialog>
  );
}
