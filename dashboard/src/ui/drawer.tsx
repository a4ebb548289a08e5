import { type ReactNode, useEffect, useId, useRef } from 'react';
import styles from './drawer.module.css';

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
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={styles.drawer}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onMouseDown={(e) => {
        if (e.target === ref.current) onClose(); // a click on the backdrop
      }}
      data-testid={rest['data-testid']}
    >
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
