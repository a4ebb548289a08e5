import type { ReactNode } from 'react';
import { Button } from './button';
import styles from './dialog.module.css';
import { Alert } from './states';
import { useModal } from './use-modal';

interface DialogProps {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  /** Room for a longer form or a command line (640px instead of 460px). */
  wide?: boolean;
  'data-testid'?: string;
}

/**
 * The native <dialog> in modal mode: focus moves in and is trapped, the page behind is
 * inert and Escape closes it, without re-implementing any of that.
 */
export function Dialog({ open, onClose, title, children, footer, wide = false, ...rest }: DialogProps) {
  const { titleId, dialogProps } = useModal(open, onClose);
  return (
    <dialog
      {...dialogProps}
      className={wide ? `${styles.dialog} ${styles.wide}` : styles.dialog}
      data-testid={rest['data-testid']}
    >
      {open && (
        <div className={styles.panel}>
          <h2 id={titleId} className={styles.title}>
            {title}
          </h2>
          <div className={styles.body}>{children}</div>
          {footer && <div className={styles.footer}>{footer}</div>}
        </div>
      )}
    </dialog>
  );
}

/** Asks before a destructive action, naming exactly what it will affect. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  cancelLabel = 'Cancel',
  pendingLabel,
  pending = false,
  error,
  tone = 'danger',
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The button that backs out, when "Cancel" would read ambiguously (cancelling a run). */
  cancelLabel?: string;
  pendingLabel?: string;
  pending?: boolean;
  error?: string;
  /** `primary` for a confirmation that undoes no harm (enabling an account). */
  tone?: 'danger' | 'primary';
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog
      open={open}
      onClose={() => !pending && onCancel()}
      title={title}
      data-testid="confirm-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onCancel} disabled={pending}>
            {cancelLabel}
          </Button>
          <Button
            variant={tone}
            onClick={onConfirm}
            pending={pending}
            pendingText={pendingLabel}
            data-testid="confirm-button"
          >
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
      {error && <Alert>{error}</Alert>}
    </Dialog>
  );
}
