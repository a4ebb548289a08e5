import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { Input } from '../../ui/input';
import { Alert } from '../../ui/states';
import { Textarea } from '../../ui/textarea';
import { blankDraft, draftToInput, NodeFields, nodeErrors } from './node-form';
import styles from './nodes.module.css';
import type { Credential, NodeCreated } from './queries';

const credentialChoices = [
  {
    kind: 'generate',
    title: 'Generate a key for this node',
    text: 'A new ed25519 key pair that only this node trusts. Recommended.',
  },
  {
    kind: 'fleet',
    title: 'Use the fleet key',
    text: 'One key pair shared by every node that chooses it (made on first use): one line to install everywhere.',
  },
  {
    kind: 'upload',
    title: 'Upload a private key',
    text: 'A key the node already trusts. Sealed at rest; serverbox never shows it again.',
  },
] as const;

/** Step 1: name, address, login and how serverbox authenticates. */
export function AddNodeDetails({
  onCreated,
  onCancel,
}: {
  onCreated: (created: NodeCreated, how: { pinned: boolean; kind: Credential['kind'] }) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState(blankDraft);
  const [kind, setKind] = useState<Credential['kind']>('generate');
  const [privateKey, setPrivateKey] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [fingerprint, setFingerprint] = useState('');
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const create = useMutation(trpc.nodes.create.mutationOptions());
  const server = nodeErrors(create.error);
  const errors = { ...server.fields, ...localErrors };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = draftToInput(draft);
    const local: Record<string, string> = { ...parsed.errors };
    if (kind === 'upload' && !privateKey.trim()) local.privateKey = 'Paste the private key.';
    setLocalErrors(local);
    if (!parsed.value || Object.keys(local).length) return;
    const credential: Credential =
      kind === 'upload' ? { kind, privateKey, passphrase: passphrase || undefined } : { kind };
    create.mutate(
      { ...parsed.value, hostKeyFingerprint: fingerprint.trim() || null, credential },
      { onSuccess: (created) => onCreated(created, { pinned: Boolean(fingerprint.trim()), kind }) },
    );
  };

  return (
    <form className={styles.form} onSubmit={submit} noValidate data-testid="add-node-form">
      <NodeFields draft={draft} onChange={(patch) => setDraft((d) => ({ ...d, ...patch }))} errors={errors} autoFocus />
      <fieldset className={styles.fieldset}>
        <legend className={styles.legend}>How serverbox logs in</legend>
        {credentialChoices.map((c) => (
          <label key={c.kind} className={styles.choice}>
            <input
              type="radio"
              name="credential"
              value={c.kind}
              checked={kind === c.kind}
              onChange={() => setKind(c.kind)}
              data-testid={`credential-${c.kind}`}
            />
            <span className={styles.strong}>{c.title}</span>
            <span className={styles.choiceText}>{c.text}</span>
          </label>
        ))}
      </fieldset>
      {kind === 'upload' && (
        <>
          <Textarea
            label="Private key"
            name="privateKey"
            rows={5}
            spellCheck={false}
            autoComplete="off"
            className={styles.mono}
            placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
            value={privateKey}
            onChange={(e) => setPrivateKey(e.target.value)}
            error={errors.privateKey}
            data-testid="node-private-key"
          />
          <Input
            label="Passphrase (if the key has one)"
            name="passphrase"
            type="password"
            autoComplete="off"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
            error={errors.passphrase}
          />
        </>
      )}
      <Input
        label="Host key fingerprint (optional)"
        name="hostKeyFingerprint"
        autoComplete="off"
        spellCheck={false}
        placeholder="SHA256:…"
        value={fingerprint}
        onChange={(e) => setFingerprint(e.target.value)}
        error={errors.hostKeyFingerprint}
        hint={
          <>
            If you know it already (<code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> on the node),
            serverbox pins it now and skips the confirmation step.
          </>
        }
        data-testid="node-fingerprint"
      />
      {server.general && <Alert>{server.general}</Alert>}
      <div className={styles.formFooter}>
        <Button variant="ghost" onClick={onCancel} disabled={create.isPending}>
          Cancel
        </Button>
        <Button
          type="submit"
          variant="primary"
          pending={create.isPending}
          pendingText="Adding node…"
          data-testid="add-node-submit"
        >
          Add node
        </Button>
      </div>
    </form>
  );
}
