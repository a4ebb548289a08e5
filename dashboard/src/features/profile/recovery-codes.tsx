import { buttonClass } from '../../ui/button';
import { CopyButton } from '../../ui/copy-button';
import { IconDownload } from '../../ui/icons';
import { Alert } from '../../ui/states';
import styles from './two-factor.module.css';

/** The ten recovery codes, shown the one time the core hands them out (it keeps only hashes). */
export function RecoveryCodes({ codes, email }: { codes: string[]; email: string }) {
  const text = `serverbox recovery codes for ${email}\nEach code works once, in place of an authentication code.\n\n${codes.join('\n')}\n`;
  const href = `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
  return (
    <div className={styles.recovery}>
      <Alert tone="amber">
        <span data-testid="recovery-warning">
          Save these codes somewhere safe now: they will not be shown again. If you lose your authenticator, each code
          signs you in once.
        </span>
      </Alert>
      <ol className={styles.codes} data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c} className={styles.codeItem} data-testid="recovery-code">
            {c}
          </li>
        ))}
      </ol>
      <div className={styles.recoveryActions}>
        <CopyButton text={codes.join('\n')} label="Copy codes" data-testid="copy-recovery" />
        <a className={buttonClass({ size: 'sm' })} href={href} download="serverbox-recovery-codes.txt">
          <IconDownload />
          <span>Download .txt</span>
        </a>
      </div>
    </div>
  );
}
