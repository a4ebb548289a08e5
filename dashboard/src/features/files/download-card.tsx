import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { Input } from '../../ui/input';
import { Alert } from '../../ui/states';
import { formatBytes } from '../nodes/queries';
import styles from './files.module.css';
import { filesUrl, type TransferError, transferError } from './transfer';
import { newTransferId, transferProgressQuery } from './transfer-progress';

/**
 * Downloads one file from the node. The GET runs in a hidden iframe so the browser streams
 * the attachment straight to disk (a fetch would hold the whole file in memory first);
 * progress and the end come as files.progress events for our transferId. A refusal loads a
 * page in the iframe instead, which the core's CSP (frame-ancestors 'none') blocks, so its
 * JSON cannot be read there: the page asks once more with fetch, which fails the same way
 * before any byte of a file moves, and shows the core's message.
 */
export function DownloadCard({ nodeId, nodeName }: { nodeId: string; nodeName: string }) {
  const [path, setPath] = useState('');
  const [transfer, setTransfer] = useState<{ id: string; url: string; path: string } | null>(null);
  const [error, setError] = useState<TransferError | null>(null);
  const frame = useRef<HTMLIFrameElement>(null);
  const progress = useQuery({ ...transferProgressQuery(transfer?.id ?? ''), enabled: false }).data;
  const pathError = path && !path.startsWith('/') ? 'An absolute path, starting with /.' : undefined;
  useEffect(() => {
    if (transfer && frame.current) frame.current.src = transfer.url;
  }, [transfer]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!path || pathError) return;
    const id = newTransferId();
    setError(null);
    setTransfer({ id, path, url: filesUrl(nodeId, { path, transferId: id }) });
  };
  // Fires for a page (a refusal), never for an attachment the browser saves.
  const onFrameLoad = async () => {
    if (!transfer) return;
    const again = new AbortController();
    try {
      const res = await fetch(transfer.url, { signal: again.signal });
      if (res.ok) {
        again.abort(); // it would download now after all: not a second copy in memory
        setError(transferError(0, 'the download did not start; try again'));
      } else setError(transferError(res.status, await res.text()));
    } catch {
      setError(transferError(0, 'serverbox could not be reached'));
    }
    setTransfer(null);
  };
  const busy = Boolean(transfer && !progress?.done && !error);

  return (
    <Card
      title="Download a file"
      description={`Saves a regular file from ${nodeName} to this computer.`}
      data-testid="download-card"
    >
      <form className={styles.form} onSubmit={submit} noValidate>
        <Input
          label="Path on the node"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="/etc/hostname"
          spellCheck={false}
          autoComplete="off"
          error={pathError}
          data-testid="download-path"
        />
        <div className={styles.footer}>
          <Button
            type="submit"
            variant="primary"
            disabled={!path || Boolean(pathError)}
            pending={busy}
            pendingText="Downloading…"
            data-testid="download-submit"
          >
            Download
          </Button>
        </div>
      </form>
      {transfer && progress && !error && (
        <div className={styles.progress} data-testid="download-progress" data-done={progress.done}>
          <progress max={progress.total || 1} value={progress.bytes} aria-label={`Downloading ${transfer.path}`} />
          <div className={styles.progressText}>
            {progress.error ? (
              <Alert>{`The download broke off: ${progress.error}`}</Alert>
            ) : progress.done ? (
              `Downloaded ${transfer.path} (${formatBytes(progress.total)}).`
            ) : (
              `${formatBytes(progress.bytes)} of ${formatBytes(progress.total)}…`
            )}
          </div>
        </div>
      )}
      {error && (
        <div className={styles.result} data-testid="download-error">
          <Alert>{error.headline}</Alert>
        </div>
      )}
      <iframe
        ref={frame}
        title="Download"
        className={styles.frame}
        onLoad={() => void onFrameLoad()}
        tabIndex={-1}
        aria-hidden
      />
    </Card>
  );
}
