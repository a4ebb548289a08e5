import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
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
import { allNodesQuery } from '../nodes/queries';
import styles from './guests.module.css';
import { lifetimes } from './queries';
import { type GuestScope, guestScopes } from './scopes';

const blank = { label: '', scopes: ['audit:read'] as GuestScope[], hours: 24, maxUses: '', nodes: '' };

/** A guest link's scope takes labels of this form (node labels may also hold ":"). */
const scopableLabel = (l: string) => /^[a-z0-9][a-z0-9_.-]{0,62}$/.test(l);

/** The node scope choice ("" every node, "node:<id>", "label:<label>") as the core's nodeScope. */
function nodeScopeOf(choice: string) {
  if (choice.startsWith('node:')) return { nodeIds: [choice.slice(5)], labels: [] };
  if (choice.startsWith('label:')) return { nodeIds: [], labels: [choice.slice(6)] };
  return undefined;
}

function parseMaxUses(v: string): number | null | undefined {
  if (!v.trim()) return null; // unlimited
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : undefined;
}

/** Label, read-only scopes, lifetime and an optional use limit in; the link out, shown once. */
export function CreateGuestLinkDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState(blank);
  const [badMaxUses, setBadMaxUses] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const create = useMutation(
    trpc.guests.create.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.guests.list.queryKey() }),
    }),
  );
  const seesNodes = form.scopes.includes('nodes:read');
  const nodes = useQuery({ ...allNodesQuery(), enabled: open && seesNodes });
  const fields = fieldErrors(create.error);
  const close = () => {
    if (create.isPending) return;
    onClose();
    create.reset();
    setForm(blank);
    setBadMaxUses(false);
  };
  const toggle = (scope: GuestScope) =>
    setForm((f) => ({
      ...f,
      scopes: f.scopes.includes(scope) ? f.scopes.filter((s) => s !== scope) : [...f.scopes, scope],
    }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const maxUses = parseMaxUses(form.maxUses);
    setBadMaxUses(maxUses === undefined);
    if (maxUses === undefined) return;
    create.mutate({
      label: form.label,
      permissions: form.scopes,
      expiresInHours: form.hours,
      maxUses,
      nodeScope: seesNodes ? nodeScopeOf(form.nodes) : undefined,
    });
  };
  const created = create.data;
  const reauth = needsReauth(create.error);
  const shown = reauth || Boolean(fields.label || fields.permissions || fields.maxUses);

  return (
    <CreateDialog
      open={open}
      onClose={close}
      created={Boolean(created)}
      title="Create a guest link"
      createdTitle="Guest link ready"
      formId="guest-link-form"
      submitLabel="Create link"
      pendingText="Creating link…"
      pending={create.isPending}
      submitDisabled={reauth}
      testId="guest-link"
    >
      {created ? (
        <>
          <p>
            Anyone who opens this link gets read-only access as{' '}
            <strong className={styles.strong}>{create.variables?.label}</strong>, without an account. Every request they
            make is recorded in the audit log.
          </p>
          <OneTimeLink
            label="Guest link"
            url={`${location.origin}${created.path}`}
            expiresAt={created.expiresAt}
            data-testid="guest-link-url"
          />
        </>
      ) : (
        <form ref={formRef} id="guest-link-form" className={authForm.form} onSubmit={submit} noValidate>
          <Input
            label="Label"
            name="label"
            autoComplete="off"
            autoFocus
            placeholder="Q4 SOC 2 auditor"
            value={form.label}
            onChange={(e) => setForm((f) => ({ ...f, label: e.target.value }))}
            error={fields.label}
            hint="Shown to the guest, and as the actor of their requests in the audit log."
          />
          <fieldset className={styles.fieldset}>
            <legend className={styles.legend}>What the guest may do</legend>
            {guestScopes.map((s) => (
              <label key={s.scope} className={styles.check}>
                <input
                  type="checkbox"
                  checked={form.scopes.includes(s.scope)}
                  onChange={() => toggle(s.scope)}
                  data-testid={`scope-${s.scope}`}
                />
                <span className={styles.scopeName}>{s.description}</span>
                <span className={styles.scopeCode}>{s.scope}</span>
              </label>
            ))}
            {fields.permissions && (
              <p className={styles.error} role="alert">
                {fields.permissions}
              </p>
            )}
          </fieldset>
          {seesNodes && (
            <Select
              label="Nodes the guest may see"
              value={form.nodes}
              onChange={(e) => setForm((f) => ({ ...f, nodes: e.target.value }))}
              data-testid="guest-link-nodes"
            >
              <option value="">Every node</option>
              {(nodes.data?.items ?? []).map((n) => (
                <option key={n.id} value={`node:${n.id}`}>
                  Only {n.name}
                </option>
              ))}
              {(nodes.data?.labels ?? []).filter(scopableLabel).map((l) => (
                <option key={l} value={`label:${l}`}>
                  Nodes labelled {l}
                </option>
              ))}
            </Select>
          )}
          <div className={styles.row}>
            <Select
              label="Lifetime"
              value={form.hours}
              onChange={(e) => setForm((f) => ({ ...f, hours: Number(e.target.value) }))}
              data-testid="guest-link-lifetime"
            >
              {lifetimes.map((l) => (
                <option key={l.hours} value={l.hours}>
                  {l.label}
                </option>
              ))}
            </Select>
            <Input
              label="Max uses (optional)"
              name="maxUses"
              type="number"
              inputMode="numeric"
              min={1}
              max={1000}
              placeholder="Unlimited"
              value={form.maxUses}
              onChange={(e) => setForm((f) => ({ ...f, maxUses: e.target.value }))}
              error={badMaxUses ? 'A whole number from 1 to 1000, or empty.' : fields.maxUses}
            />
          </div>
          <p className={styles.note}>Each opening of the link counts as one use.</p>
          {create.error && !shown && <Alert>{errorMessage(create.error)}</Alert>}
        </form>
      )}
      {!created && reauth && (
        // Outside the link's form (its own form: Enter confirms the password only); once
        // confirmed, the link's form is submitted again as it stands.
        <ReauthPrompt onConfirmed={() => formRef.current?.requestSubmit()} />
      )}
    </CreateDialog>
  );
}
