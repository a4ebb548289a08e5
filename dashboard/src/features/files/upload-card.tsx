import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { CopyButton } from '../../ui/copy-button';
import { ConfirmDialog } from '../../ui/dialog';
import { Input } from '../../ui/input';
import { Alert } from '../../ui/states';
import { formatBytes } from '../nodes/queries';
import styles from './files.module.css';
import { sha256Hex, type TransferError, type Uploaded, uploadFile } from './transfer';
import { newTransferId, transferProgressQuery } from './transfer-progress';

type State =
  | { kind: 'idle' }
  | { kind: 'sending'; transferId: string; sent: number; total: number; abort: () => void }
  | { kind: 'done'; result: Uploaded; name: string; localSha: string | null }
  | { kind: 'failed'; error: TransferError };

const modePattern = /^0?[0-7]{3}$/;

/** Uploads one local file to an absolute path on the node (admins: files:write). */
export function UploadCard({ nodeId, nodeName }: { nodeId: string; nodeName: string }) {
  const [file, setFile] = useState<File | null>(null);
  const [path, setPath] = useState('');
  const [mode, setMode] = useState('0644');
  const [asking, setAsking] = useState(false);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const abortRef = useRef<(() => void) | null>(null);
  useEffect(() => () => abortRef.current?.(), []); // leaving the page cancels the upload
  // The node-side count (files.progress): the bytes that reached the node, not just the core.
  const transferId = state.kind === 'sending' ? state.transferId : '';
  const nodeSide = useQuery({ ...transferProgressQuery(transferId), enabled: false }).data;

  const pathError = path && !path.startsWith('/') ? 'An absolute path, starting with /.' : undefined;
  const modeError = mode && !modePattern.test(mode) ? 'Three octal digits, such as 0644.' : undefined;
  const ready = Boolean(file && path && !pathError && !modeError) && state.kind !== 'sending';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (ready) setAsking(true);
  };
  const start = () => {
    if (!file) return;
    setAsking(false);
    const id = newTransferId();
    const localSha = sha256Hex(file);
    const t = uploadFile(nodeId, file, {
      path,
      mode,
      transferId: id,
      onProgress: (sent, total) => setState((s) => (s.kind === 'sending' ? { ...s, sent, total } : s)),
    });
    abortRef.current = t.abort;
    setState({ kind: 'sending', transferId: id, sent: 0, total: file.size, abort: t.abort });
    t.done
      .then(
        async (result) =>
          setState({ kind: 'done', result, name: file.name, localSha: await localSha.catch(() => null) }),
        (error: TransferError) => setState({ kind: 'failed', error }),
      )
      .finally(() => {
        abortRef.current = null;
      });
  };

  return (
    <Card
      title="Upload a file"
      description={`Writes a local file to ${nodeName}. An existing file at that path is replaced atomically.`}
      data-testid="upload-card"
    >
      <form className={styles.form} onSubmit={submit} noValidate>
        <Input
          label="Local file"
          type="file"
          data-testid="upload-file"
          onChange={(e) => {
            const f = e.target.files?.[0] ?? null;
            setFile(f);
            // A directory typed first gets the file's name appended.
            if (f && path.endsWith('/')) setPath(`${path}${f.name}`);
          }}
        />
        <div className={styles.row}>
          <Input
            label="Target path on the node"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/srv/app/config.yml"
            spellCheck={false}
            autoComplete="off"
            error={pathError}
            className={styles.grow}
            data-testid="upload-path"
          />
          <Input
            label="Mode"
            value={mode}
            onChange={(e) => setMode(e.target.value)}
            error={modeError}
            className={styles.mode}
            hint="Octal"
            data-testid="upload-mode"
          />
        </div>
        <div className={styles.footer}>
          <Button type="submit" variant="primary" disabled={!ready} data-testid="upload-submit">
            Upload
          </Button>
          {file && (
            <span className={styles.muted}>
              {file.name} · {formatBytes(file.size)}
            </span>
          )}
        </div>
      </form>
      {state.kind === 'sending' && (
        <div className={styles.progress} data-testid="upload-progress">
          <progress max={state.total || 1} value={state.sent} aria-label={`Uploading to ${path}`} />
          <div className={styles.progressText}>
            <span>
              {state.sent < state.total
                ? `Sending ${formatBytes(state.sent)} of ${formatBytes(state.total)}…`
                : `Writing on ${nodeName}${nodeSide ? ` (${formatBytes(nodeSide.bytes)} of ${formatBytes(nodeSide.total)})` : ''}…`}
            </span>
            <Button size="sm" variant="ghost" onClick={state.abort}>
              Cancel
            </Button>
          </div>
        </div>
      )}
      {state.kind === 'done' && (
        <div className={styles.result} data-testid="upload-result">
          <Alert tone="green">
            Uploaded {state.name} to <code>{state.result.path}</code>:{' '}
            <span data-testid="upload-bytes">{state.result.bytes}</span> bytes.
          </Alert>
          <div className={styles.sha}>
            <span className={styles.muted}>sha256 on the node</span>
            <code data-testid="upload-sha256">{state.result.sha256}</code>
            <CopyButton text={state.result.sha256} label="Copy sha256" />
          </div>
          {state.localSha && (
            <p className={styles.muted} data-testid="upload-sha-check">
              {state.localSha === state.result.sha256
                ? '✓ Matches the local file.'
                : '✗ Differs from the local file: upload it again.'}
            </p>
          )}
        </div>
      )}
      {state.kind === 'failed' && (
        <div className={styles.result} data-testid="upload-error" data-status={state.error.status}>
          <Alert>{state.error.headline}</Alert>
        </div>
      )}
      <ConfirmDialog
        open={asking}
        title={`Upload to ${path}?`}
        confirmLabel="Upload"
        tone="primary"
        onConfirm={start}
        onCancel={() => setAsking(false)}
      >
        <p>
          Writes {file?.name} ({formatBytes(file?.size)}) to <code>{path}</code> on <strong>{nodeName}</strong> with
          mode {mode}. If a file already exists there it is replaced.
        </p>
      </ConfirmDialog>
    </Card>
  );
}
