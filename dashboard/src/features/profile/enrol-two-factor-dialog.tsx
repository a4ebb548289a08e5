import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { errorMessage, fieldErrors } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { CopyButton } from '../../ui/copy-button';
import { Dialog } from '../../ui/dialog';
import { Input } from '../../ui/input';
import { Alert, ErrorState, LoadingState } from '../../ui/states';
import { RecoveryCodes } from './recovery-codes';
import styles from './two-factor.module.css';

/** The base32 secret in groups of four, easier to type into an app by hand. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

/**
 * Turning 2FA on: a new secret as a QR code (an SVG from the core, shown as an image, never
 * injected as markup) and as text, a first code to prove the app has it, then the recovery codes.
 */
export function EnrolTwoFactorDialog({ open, email, onClose }: { open: boolean; email: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const begin = useMutation(trpc.twoFactor.begin.mutationOptions());
  const enable = useMutation(
    trpc.twoFactor.enable.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.twoFactor.status.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.session.whoami.queryKey() });
      },
      onError: () => setCode(''),
    }),
  );
  const { mutate: start, reset: resetBegin } = begin;
  // Once per opening: every begin replaces the pending secret, so a second one would orphan the QR shown.
  const started = useRef(false);
  useEffect(() => {
    if (open && !started.current) {
      started.current = true;
      start();
    }
  }, [open, start]);
  const close = () => {
    if (enable.isPending) return;
    started.current = false;
    onClose();
    resetBegin();
    enable.reset();
    setCode('');
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    enable.mutate({ code });
  };
  const codes = enable.data?.recoveryCodes;
  const fields = fieldErrors(enable.error);

  return (
    <Dialog
      open={open}
      onClose={close}
      title={codes ? 'Two-factor authentication is on' : 'Turn on two-factor authentication'}
      data-testid="enrol-2fa-dialog"
      footer={
        codes ? (
          <Button variant="primary" onClick={close} data-testid="enrol-2fa-done">
            I have saved my codes
          </Button>
        ) : (
          <>
            <Button variant="ghost" onClick={close} disabled={enable.isPending}>
              Cancel
            </Button>
            <Button
              type="submit"
              form="enrol-2fa-form"
              variant="primary"
              disabled={!begin.data || code.length !== 6}
              pending={enable.isPending}
              pendingText="Verifying…"
              data-testid="enrol-2fa-submit"
            >
              Turn on
            </Button>
          </>
        )
      }
    >
      {codes ? (
        <RecoveryCodes codes={codes} email={email} />
      ) : begin.isError ? (
        <ErrorState
          error={begin.error}
          title="Could not start enrolment"
          onRetry={() => start()}
          retrying={begin.isPending}
        />
      ) : !begin.data ? (
        <LoadingState label="Creating a secret…" />
      ) : (
        <form id="enrol-2fa-form" className={styles.enrol} onSubmit={submit} noValidate>
          <p>
            1. Scan this QR code with an authenticator app (1Password, Google Authenticator, Aegis…), or type the key
            below.
          </p>
          <div className={styles.qrRow}>
            <img
              className={styles.qr}
              src={`data:image/svg+xml;utf8,${encodeURIComponent(begin.data.qrSvg)}`}
              alt="QR code for your authenticator app"
              width={168}
              height={168}
              data-testid="enrol-2fa-qr"
            />
            <div className={styles.secretBox}>
              <span className={styles.secretLabel}>Setup key</span>
              <code className={styles.secret} data-testid="enrol-2fa-secret" data-secret={begin.data.secret}>
                {grouped(begin.data.secret)}
              </code>
              <CopyButton text={begin.data.secret} label="Copy key" />
            </div>
          </div>
          <p>2. Enter the 6-digit code the app shows.</p>
          <Input
            label="Authentication code"
            name="code"
            autoComplete="one-time-code"
            inputMode="numeric"
            autoFocus
            maxLength={6}
            placeholder="123456"
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
            error={fields.code}
          />
          {enable.error && !fields.code && <Alert>{errorMessage(enable.error)}</Alert>}
        </form>
      )}
    </Dialog>
  );
}
