import { useEffect, useState } from 'react';
import styles from './copy-button.module.css';
import { IconCheck, IconCopy } from './icons';

/** The Clipboard API exists only in secure contexts; plain-HTTP installs fall back to execCommand. */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // denied: try the old way below
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  return ok;
}

/** A small icon button that copies `text` and says so for a moment. */
export function CopyButton({
  text,
  label = 'Copy',
  'data-testid': testId,
}: {
  text: string;
  label?: string;
  'data-testid'?: string;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 1600);
    return () => clearTimeout(t);
  }, [state]);
  const title = state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select the text instead' : label;
  return (
    <button
      type="button"
      className={styles.copy}
      data-state={state}
      onClick={() => void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'))}
      aria-label={label}
      title={title}
      data-testid={testId}
    >
      {state === 'copied' ? <IconCheck /> : <IconCopy />}
      <span className={styles.text} aria-live="polite">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Failed' : 'Copy'}
      </span>
    </button>
  );
}
