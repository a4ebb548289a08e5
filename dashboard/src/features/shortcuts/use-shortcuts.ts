import { useNavigate } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import type { Permission } from '../auth/use-me';
import { isTyping, shortcuts } from './shortcuts';

const sequenceMs = 1200;

/** `g` + a page's letter (see shortcuts.ts) and `?`; returns whether the help overlay is open. */
export function useShortcuts(can: (p: Permission) => boolean) {
  const navigate = useNavigate();
  const [helpOpen, setHelpOpen] = useState(false);
  // Read through a ref so re-renders do not re-register the listener mid-sequence ("g" … "o").
  const canRef = useRef(can);
  canRef.current = can;

  useEffect(() => {
    let prefix: string | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (document.querySelector('dialog[open]:not([data-testid="shortcuts-help"])')) return;
      if (e.key === '?') {
        e.preventDefault();
        setHelpOpen((open) => !open);
        return;
      }
      if (prefix) {
        const match = shortcuts.find((s) => s.keys[0] === prefix && s.keys[1] === e.key && canRef.current(s.needs));
        prefix = null;
        clearTimeout(timer);
        if (match) {
          e.preventDefault();
          setHelpOpen(false);
          void navigate({ to: match.to });
        }
        return;
      }
      if (shortcuts.some((s) => s.keys[0] === e.key)) {
        prefix = e.key;
        timer = setTimeout(() => {
          prefix = null;
        }, sequenceMs);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      clearTimeout(timer);
    };
  }, [navigate]);

  return { helpOpen, setHelpOpen };
}
