import { useState } from 'react';
import { errorMessage, needsReauth } from '../../lib/errors';
import { fullTime } from '../../lib/time';
import { Button } from '../../ui/button';
import { CopyButton } from '../../ui/copy-button';
import { Dialog } from '../../ui/dialog';
import { Alert, LoadingState } from '../../ui/states';
import { ReauthPrompt } from '../auth/reauth-prompt';
import { Fingerprint } from './node-bits';
import styles from './nodes.module.css';
import type { NodeDetail, NodeRow, OfferedHostKey } from './queries';
import { hostKeyFile, useRefreshNode, useTrustHostKey } from './use-node-actions';

/** How to read the fingerprint on the node itself, with a copy button. */
function CheckOnNode({ keyType }: { keyType: string }) {
  const command = `ssh-keygen -lf ${hostKeyFile(keyType)}`;
  return (
    <div className={styles.codeBox}>
      <div className={styles.codeHead}>
        <span>Run on the node (its console, or a session you already trust)</span>
        <CopyButton text={command} label="Copy command" />
      </div>
      <code className={styles.code}>{command}</code>
    </div>
  );
}

function OfferedKey({ offered }: { offered: OfferedHostKey }) {
  return (
    <dl className={styles.keyCompare}>
      <dt>Fingerprint</dt>
      <dd>
        <Fingerprint value={offered.fingerprint} testId="offered-fingerprint" />
      </dd>
      <dt>Key type</dt>
      <dd className={styles.mono} data-testid="offered-key-type">
        {offered.keyType}
      </dd>
      <dt>Presented</dt>
      <dd>
        <time dateTime={offered.seenAt}>{fullTime(offered.seenAt)}</time>
      </dd>
    </dl>
  );
}

/**
 * First contact: the node presented a host key nobody has confirmed. Shows it, says how to
 * check it on the node, and pins it on confirmation. The core then connects at once.
 */
export function FirstHostKey({
  node,
  canTrust,
  onTrusted,
}: {
  node: NodeDetail;
  canTrust: boolean;
  onTrusted?: (view: NodeRow) => void;
}) {
  const trust = useTrustHostKey(onTrusted);
  const refresh = useRefreshNode();
  const offered = node.offeredHostKey;
  if (!offered) {
    return (
      <div className={styles.prose} data-testid="host-key-waiting">
        <LoadingState label="Waiting for the node to present its host key…" />
        {refresh.error && <Alert>{errorMessage(refresh.error)}</Alert>}
        <div>
          <Button
            size="sm"
            onClick={() => refresh.mutate({ id: node.id })}
            pending={refresh.isPending}
            pendingText="Connecting…"
          >
            Connect again
          </Button>
        </div>
      </div>
    );
  }
  const confirm = () => trust.mutate({ id: node.id, fingerprint: offered.fingerprint });
  const reauth = needsReauth(trust.error);
  return (
    <div className={styles.prose} data-testid="host-key-review">
      <p>
        <strong className={styles.strong}>{node.name}</strong> answered and presented this host key. Confirm it only if
        it is the key of your server: compare it with what the node itself prints. From then on serverbox refuses to
        connect if the key ever changes.
      </p>
      <OfferedKey offered={offered} />
      <CheckOnNode keyType={offered.keyType} />
      {canTrust ? (
        <>
          {reauth ? <ReauthPrompt onConfirmed={confirm} /> : trust.error && <Alert>{errorMessage(trust.error)}</Alert>}
          <div className={styles.formFooter}>
            <Button
              variant="primary"
              onClick={confirm}
              disabled={reauth}
              pending={trust.isPending}
              pendingText="Confirming and connecting…"
              data-testid="trust-host-key"
            >
              The fingerprints match — trust this key
            </Button>
          </div>
        </>
      ) : (
        <Alert tone="amber">An admin who may confirm host keys has to review this one.</Alert>
      )}
    </div>
  );
}

/**
 * The node's host key changed since it was pinned: serverbox refuses to connect (the node is
 * quarantined) until an admin compares the keys and accepts the new one, or fixes the node.
 */
export function QuarantineAlert({ node, canTrust }: { node: NodeDetail; canTrust: boolean }) {
  const [open, setOpen] = useState(false);
  const trust = useTrustHostKey(() => setOpen(false));
  const offered = node.offeredHostKey;
  const accept = () => offered && trust.mutate({ id: node.id, fingerprint: offered.fingerprint });
  const reauth = needsReauth(trust.error);
  const close = () => {
    if (trust.isPending) return;
    setOpen(false);
    trust.reset();
  };
  return (
    <section className={styles.alert} role="alert" aria-labelledby="quarantine-title" data-testid="quarantine-alert">
      <h2 id="quarantine-title" className={styles.alertTitle}>
        Host key changed: {node.name} is quarantined
      </h2>
      <p className={styles.alertText}>
        The node presented a different SSH host key from the one serverbox pinned. That happens when a server is
        reinstalled or its SSH keys are regenerated, but it is also exactly what an attacker intercepting the connection
        (a man-in-the-middle) would look like. serverbox will not connect to this node, nor send it any command, until
        the key is reviewed.
      </p>
      <dl className={styles.keyCompare}>
        <dt>Pinned (old)</dt>
        <dd>
          {node.hostKeyFingerprint ? (
            <span className={styles.old}>
              <Fingerprint value={node.hostKeyFingerprint} testId="pinned-fingerprint" />
            </span>
          ) : (
            <span className={styles.none}>none</span>
          )}
        </dd>
        <dt>Presented (new)</dt>
        <dd>
          {offered ? (
            <Fingerprint value={offered.fingerprint} testId="offered-fingerprint" />
          ) : (
            <span className={styles.none}>not recorded</span>
          )}
        </dd>
        {offered && (
          <>
            <dt>Key type</dt>
            <dd className={styles.mono}>{offered.keyType}</dd>
            <dt>Seen</dt>
            <dd>
              <time dateTime={offered.seenAt}>{fullTime(offered.seenAt)}</time>
            </dd>
          </>
        )}
      </dl>
      {offered && <CheckOnNode keyType={offered.keyType} />}
      {canTrust && offered ? (
        <div className={styles.alertActions}>
          <Button variant="danger" onClick={() => setOpen(true)} data-testid="accept-new-key">
            Accept new key
          </Button>
        </div>
      ) : (
        <p className={styles.alertText}>An admin who may confirm host keys has to review it.</p>
      )}
      <Dialog
        open={open}
        onClose={close}
        title={`Accept the new host key of ${node.name}?`}
        data-testid="accept-key-dialog"
        footer={
          <>
            <Button variant="ghost" onClick={close} disabled={trust.isPending}>
              Cancel
            </Button>
            <Button
              variant="danger"
              onClick={accept}
              disabled={reauth}
              pending={trust.isPending}
              pendingText="Accepting…"
              data-testid="confirm-button"
            >
              Accept new key
            </Button>
          </>
        }
      >
        <p>
          Only accept it if you checked, on the node itself and over a channel you trust, that its host key fingerprint
          is
        </p>
        {offered && <Fingerprint value={offered.fingerprint} />}
        <Alert tone="amber">
          If you cannot explain why the key changed, do not accept it: someone may be impersonating {node.name} to
          capture the commands and secrets serverbox would send it.
        </Alert>
        {reauth ? <ReauthPrompt onConfirmed={accept} /> : trust.error && <Alert>{errorMessage(trust.error)}</Alert>}
      </Dialog>
    </section>
  );
}
