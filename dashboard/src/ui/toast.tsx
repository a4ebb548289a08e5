import { AnimatePresence, motion } from 'motion/react';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';
import styles from './toast.module.css';

interface Toast {
  id: number;
  tone: 'green' | 'red' | 'neutral';
  title: string;
  body?: string;
}
type ShowToast = (t: Omit<Toast, 'id'>) => void;

const ToastContext = createContext<ShowToast>(() => {});

export const useToast = () => useContext(ToastContext);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);
  const show = useCallback<ShowToast>(
    (t) => {
      const id = next.current++;
      setToasts((ts) => [...ts.slice(-3), { ...t, id }]);
      setTimeout(() => dismiss(id), 6000);
    },
    [dismiss],
  );
  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <ol className={styles.region} aria-live="polite">
        <AnimatePresence initial={false}>
          {toasts.map((t) => (
            <motion.li
              key={t.id}
              layout
              className={`${styles.toast} ${styles[t.tone]}`}
              initial={{ opacity: 0, y: 12, scale: 0.97 }}
              animate={{ opacity: 1, y: 0, scale: 1 }}
              exit={{ opacity: 0, x: 24, transition: { duration: 0.15 } }}
              transition={{ type: 'spring', stiffness: 420, damping: 32 }}
              data-testid="toast"
            >
              <span className={styles.bar} aria-hidden />
              <div className={styles.text}>
                <p className={styles.title}>{t.title}</p>
                {t.body && <p className={styles.body}>{t.body}</p>}
              </div>
              <button type="button" className={styles.close} onClick={() => dismiss(t.id)} aria-label="Dismiss">
                ×
              </button>
            </motion.li>
          ))}
        </AnimatePresence>
      </ol>
    </ToastContext.Provider>
  );
}
