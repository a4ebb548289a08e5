import { useEffect, useId, useRef } from 'react';

/**
 * The native <dialog> in modal mode, shared by Dialog and Drawer: focus moves in and is
 * trapped, the page behind is inert, Escape and a click on the backdrop close it.
 */
export function useModal(open: boolean, onClose: () => void) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return {
    titleId,
    dialogProps: {
      ref,
      'aria-labelledby': titleId,
      onCancel: (e: { preventDefault: () => void }) => {
        e.preventDefault();
        onClose();
      },
      onMouseDown: (e: { target: EventTarget }) => {
        if (e.target === ref.current) onClose(); // a click on the backdrop
      },
    },
  };
}
