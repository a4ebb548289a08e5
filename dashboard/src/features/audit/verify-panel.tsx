import type { UseMutationResult } from '@tanstack/react-query';
import { AnimatePresence, motion } from 'motion/react';
import { useEffect, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { fullTime } from '../../lib/time';
import { Button } from '../../ui/button';
import { Spinner } from '../../ui/spinner';
import { plural } from './audit-format';
import type { VerifyResult } from './queries';
import styles from './verify-panel.module.css';

type VerifyMutation = UseMutationResult<VerifyResult, unknown, void, unknown>;

function Elapsed() {
  const [start] = useState(() => Date.now());
  const [now, setNow] = useState(start);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, []);
  return <span className={styles.elapsed}>{((now - start) / 1000).toFixed(1)}s</span>;
}

function checkpointText(r: VerifyResult) {
  const c = r.checkpoints;
  if (c.count === 0 || c.lastSeq === null) return 'no signed checkpoint yet';
  const at = c.lastAt ? ` at ${fullTime(c.lastAt)}` : '';
  return `last checkpoint #${c.lastSeq}${at}, ${plural(r.tail, 'row', 'rows')} since`;
}

function Outcome({ r, onShowRow }: { r: VerifyResult; onShowRow: (seq: number) => void }) {
  if (r.ok) {
    return (
      <>
        <span className={styles.glyph} aria-hidden>
          ✓
        </span>
        <div className={styles.text}>
          <p className={styles.title}>
            Chain intact: {plural(r.checkedRows, 'row', 'rows')} verified, {checkpointText(r)}.
          </p>
          <p className={styles.meta}>
            Every hash and MAC recomputed,{' '}
            {plural(r.checkpoints.count, 'checkpoint signature', 'checkpoint signatures')} checked in{' '}
            {r.durationMs.toLocaleString()} ms.
          </p>
        </div>
      </>
    );
  }
  const p = r.problem;
  return (
    <>
      <span className={styles.glyph} aria-hidden>
        !
      </span>
      <div className={styles.text}>
        <p className={styles.title}>
          {p ? (
            <>
              Tampering detected at row #{p.seq}: {p.reason} — {p.message}
            </>
          ) : (
            'Tampering detected.'
          )}
        </p>
        <p className={styles.meta}>
          {plural(r.checkedRows, 'row', 'rows')} checked before the problem. Keep an earlier export: it is the evidence
          of what the log said.
        </p>
      </div>
      {p && (
        <Button size="sm" variant="danger" onClick={() => onShowRow(p.seq)} data-testid="verify-show-row">
          Show row #{p.seq}
        </Button>
      )}
    </>
  );
}

/** Progress while the core re-walks the chain, then a verdict that stays until dismissed. */
export function VerifyPanel({ verify, onShowRow }: { verify: VerifyMutation; onShowRow: (seq: number) => void }) {
  const tone = verify.isPending ? 'pending' : verify.isError ? 'error' : verify.data?.ok ? 'ok' : 'bad';
  return (
    <AnimatePresence initial={false}>
      {!verify.isIdle && (
        <motion.div
          key="verify"
          className={styles.wrap}
          initial={{ opacity: 0, height: 0 }}
          animate={{ opacity: 1, height: 'auto' }}
          exit={{ opacity: 0, height: 0 }}
          transition={{ duration: 0.22, ease: [0.2, 0, 0, 1] }}
        >
          <div
            className={`${styles.panel} ${styles[tone]}`}
            role={tone === 'pending' ? 'status' : tone === 'ok' ? 'status' : 'alert'}
            data-testid="verify-result"
            data-state={tone}
          >
            {verify.isPending ? (
              <>
                <Spinner size={16} />
                <div className={styles.text}>
                  <p className={styles.title}>
                    Verifying the chain… <Elapsed />
                  </p>
                  <p className={styles.meta}>
                    The core re-reads every row, recomputes its hash and MAC and checks each signed checkpoint. Large
                    logs take a few seconds.
                  </p>
                  <div className={styles.progress} aria-hidden>
                    <span />
                  </div>
                </div>
              </>
            ) : verify.isError ? (
              <div className={styles.text}>
                <p className={styles.title}>Verification could not run</p>
                <p className={styles.meta}>{errorMessage(verify.error)}</p>
              </div>
            ) : verify.data ? (
              <Outcome r={verify.data} onShowRow={onShowRow} />
            ) : null}
            {!verify.isPending && (
              <button type="button" className={styles.dismiss} onClick={() => verify.reset()} aria-label="Dismiss">
                ×
              </button>
            )}
          </div>
        </motion.div>
      )}
    </AnimatePresence>
  );
}
