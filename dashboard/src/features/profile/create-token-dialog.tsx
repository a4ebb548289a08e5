import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { errorMessage, fieldErrors, needsReauth } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { CreateDialog } from '../../ui/create-dialog';
import { Input } from '../../ui/input';
import { OneTimeLink } from '../../ui/one-time-link';
import { Select } from '../../ui/select';
import { Alert } from '../../ui/states';
import authForm from '../auth/form.module.css';
import { ReauthPrompt } from '../auth/reauth-prompt';
import type { Permission } from '../auth/use-me';
import checks from '../guests/guests.module.css';
import { expiries, permissionText } from './tokens';
import styles from './tokens.module.css';

/** Name, permissions (a subset of the user's own) and lifetime in; the `sbx_…` token out, shown once. */
export function CreateTokenDialog({
  open,
  grantable,
  onClose,
}: {
  open: boolean;
  grantable: readonly Permission[];
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const blank = {
    name: '',
    permissions: grantable.includes('system:read') ? ['system:read' as Permission] : [],
    days: 30,
  };
  const [form, setForm] = useState(blank);
  const formRef = useRef<HTMLFormElement>(null);
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() }),
    }),
  );
  const fields = fieldErrors(create.error);
  const reauth = needsReauth(create.error);
  const close = () => {
    if (create.isPending) return;
    onClose();
    create.reset();
    setForm(blank);
  };
  const toggle = (p: Permission) =>
    setForm((f) => ({
      ...f,
      permissions: f.permissions.includes(p) ? f.permissions.filter((x) => x !== p) : [...f.permissions, p],
    }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name: form.name, permissions: form.permissions, expiresInDays: form.days });
  };
  const created = create.data;

  return (
    <CreateDialog
      open={open}
      onClose={close}
      created={Boolean(created)}
      title="Create an API token"
      createdTitle="API token ready"
      formId="create-token-form"
      submitLabel="Create token"
      pendingText="Creating token…"
      pending={create.isPending}
      submitDisabled={reauth}
      testId="token"
    >
      {created ? (
        <>
          <p>
            Scripts can now act as you with the permissions of{' '}
            <strong className={styles.strong}>{create.variables?.name}</strong>. Send it as a bearer token:
          </p>
          <OneTimeLink
            noun="token"
            label="API token"
            url={created.token}
            expiresAt={created.expiresAt}
            data-testid="token-value"
          />
          <code className={styles.example} data-testid="token-example">
            curl -H &quot;Authorization: Bearer {created.token}&quot; {location.origin}/trpc/system.health
          </code>
        </>
      ) : (
        <form ref={formRef} id="create-token-form" className={authForm.form} onSubmit={submit} noValidate>
          <Input
            label="Name"
            name="name"
            autoComplete="off"
            autoFocus
            placeholder="Nightly backup script"
            value={form.name}
            onChange={(e) => setForm((f) => ({ ...f, name: e.target.value }))}
            error={fields.name}
            hint="Shown in the audit log as the token that acted."
          />
          <fieldset className={checks.fieldset}>
            <legend className={checks.legend}>What the token may do</legend>
            {grantable.map((p) => (
              <label key={p} className={checks.check}>
                <input
                  type="checkbox"
                  checked={form.permissions.includes(p)}
                  onChange={() => toggle(p)}
                  data-testid={`token-perm-${p}`}
                />
                <span className={checks.scopeName}>{permissionText[p] ?? p}</span>
                <span className={checks.scopeCode}>{p}</span>
              </label>
            ))}
            {fields.permissions && (
              <p className={checks.error} role="alert">
                {fields.permissions}
              </p>
            )}
          </fieldset>
          <Select
            label="Expires after"
            value={form.days}
            onChange={(e) => setForm((f) => ({ ...f, days: Number(e.target.value) }))}
            data-testid="token-expiry"
          >
            {expiries.map((d) => (
              <option key={d} value={d}>
                {d} days
              </option>
            ))}
          </Select>
          {create.error && !reauth && !fields.name && !fields.permissions && (
            <Alert>{errorMessage(create.error)}</Alert>
          )}
        </form>
      )}
      {!created && reauth && <ReauthPrompt onConfirmed={() => formRef.current?.requestSubmit()} />}
    </CreateDialog>
  );
}
