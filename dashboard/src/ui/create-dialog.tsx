import type { ReactNode } from 'react';
import { Button } from './button';
import { Dialog } from './dialog';

/**
 * A dialog that creates something whose secret is shown once (an invitation, a guest link,
 * an API token): the form with Cancel and a submit button, then the result with Done.
 * Test ids follow `testId`: `<testId>-dialog`, `-submit`, `-done`.
 */
export function CreateDialog({
  open,
  onClose,
  created,
  title,
  createdTitle,
  formId,
  submitLabel,
  pendingText,
  pending,
  submitDisabled = false,
  testId,
  children,
}: {
  open: boolean;
  onClose: () => void;
  /** The result is in: the dialog shows it and offers Done. */
  created: boolean;
  title: string;
  createdTitle: string;
  /** The id of the <form> inside, which the submit button in the footer submits. */
  formId: string;
  submitLabel: string;
  pendingText: string;
  pending: boolean;
  submitDisabled?: boolean;
  testId: string;
  children: ReactNode;
}) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={created ? createdTitle : title}
      data-testid={`${testId}-dialog`}
      footer={
        created ? (
          <Button variant="primary" onClick={onClose} data-testid={`${testId}-done`}>
            Done
          </Button>
        ) : (
          <>
            <Button variant="ghost" onClick={onClose} disabled={pending}>
              Cancel
            </Button>
            <Button
              type="submit"
              form={formId}
              variant="primary"
              disabled={submitDisabled}
              pending={pending}
              pendingText={pendingText}
              data-testid={`${testId}-submit`}
            >
              {submitLabel}
            </Button>
          </>
        )
      }
    >
      {children}
    </Dialog>
  );
}
