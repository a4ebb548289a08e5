import { Dialog } from '../../ui/dialog';
import { Kbd } from '../../ui/kbd';
import type { Permission } from '../auth/use-me';
import styles from './help-overlay.module.css';
import { shortcuts } from './shortcuts';

export function HelpOverlay({
  open,
  onClose,
  can,
}: {
  open: boolean;
  onClose: () => void;
  can: (p: Permission) => boolean;
}) {
  const rows = [
    ...shortcuts.filter((s) => can(s.needs)).map((s) => ({ keys: [...s.keys] as string[], label: s.label })),
    ...(can('nodes:read') ? [{ keys: ['/'], label: 'Search the node list' }] : []),
    { keys: ['?'], label: 'Show or hide this help' },
    { keys: ['Esc'], label: 'Close a dialog' },
  ];
  return (
    <Dialog open={open} onClose={onClose} title="Keyboard shortcuts" data-testid="shortcuts-help">
      <ul className={styles.list}>
        {rows.map((r) => (
          <li key={r.label} className={styles.row}>
            <span>{r.label}</span>
            <span className={styles.keys}>
              {r.keys.map((k, i) => (
                <span key={k} className={styles.key}>
                  {i > 0 && <span className={styles.then}>then</span>}
                  <Kbd>{k}</Kbd>
                </span>
              ))}
            </span>
          </li>
        ))}
      </ul>
      <p className={styles.note}>Shortcuts are ignored while you type in a field.</p>
    </Dialog>
  );
}
