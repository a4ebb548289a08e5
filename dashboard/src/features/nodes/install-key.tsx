import { CopyButton } from '../../ui/copy-button';
import styles from './nodes.module.css';

/** The node's public key and the one line that installs it, each with a copy button. */
export function InstallKey({
  publicKey,
  installCommand,
  username,
}: {
  publicKey: string;
  installCommand: string;
  username: string;
}) {
  return (
    <div className={styles.prose}>
      <p>
        serverbox logs in with the key below. Run this command <strong className={styles.strong}>on the node</strong>,
        as the SSH user <code>{username}</code> (not with sudo): it appends the key to{' '}
        <code>~/.ssh/authorized_keys</code> once, and changes nothing else.
      </p>
      <div className={styles.codeBox}>
        <div className={styles.codeHead}>
          <span>Install command</span>
          <CopyButton text={installCommand} label="Copy install command" data-testid="copy-install-command" />
        </div>
        <code className={styles.code} data-testid="install-command">
          {installCommand}
        </code>
      </div>
      <div className={styles.codeBox}>
        <div className={styles.codeHead}>
          <span>Public key</span>
          <CopyButton text={publicKey} label="Copy public key" data-testid="copy-public-key" />
        </div>
        <code className={styles.code} data-testid="public-key">
          {publicKey}
        </code>
      </div>
    </div>
  );
}
