import { useQueryClient } from '@tanstack/react-query';
import { useLayoutEffect, useRef, useState } from 'react';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Alert } from '../../ui/states';
import { clearJournal, type EndedFollow, type LiveJournal, maxJournalLines } from './live-journal';
import styles from './services.module.css';

const endedWords: Record<EndedFollow['reason'], string> = {
  unfollowed: 'The follow was stopped.',
  idle: 'The follow stopped: no heartbeat reached serverbox for 30 s.',
  'signed-out': 'The follow stopped: this session was signed out.',
  exited: 'journalctl ended on the node.',
  failed: 'The follow stopped: the node became unreachable.',
  shutdown: 'The follow stopped: serverbox was restarting.',
};

/**
 * A followed journal, live: new lines scroll into view unless the reader scrolled up or
 * paused; Pause freezes the view (lines keep arriving underneath, up to the cap), Clear
 * empties it. When the follow ends, the last event says why and it can start again.
 */
export function JournalViewer({
  unit,
  followId,
  journal,
  onStop,
  onFollowAgain,
  restarting,
}: {
  unit: string;
  followId: string;
  journal: LiveJournal;
  onStop: () => void;
  onFollowAgain: () => void;
  restarting: boolean;
}) {
  const qc = useQueryClient();
  const [paused, setPaused] = useState<LiveJournal | null>(null);
  const [following, setFollowing] = useState(true);
  const ref = useRef<HTMLPreElement>(null);
  const shown = paused ?? journal;
  const waiting = paused ? journal.received - paused.received : 0;

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the shown lines change
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && following) el.scrollTop = el.scrollHeight;
  }, [shown.lines, following]);
  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atBottom !== following) setFollowing(atBottom);
  };
  const ended = journal.ended;

  return (
    <section className={styles.journal} aria-label={`Live journal of ${unit}`} data-testid="journal-viewer">
      <header className={styles.journalBar}>
        {ended ? (
          <Badge tone="neutral" data-testid="journal-state">
            Ended
          </Badge>
        ) : paused ? (
          <Badge tone="amber" data-testid="journal-state">
            Paused{waiting > 0 ? ` · ${waiting} new` : ''}
          </Badge>
        ) : (
          <Badge tone="green" dot pulse data-testid="journal-state">
            Live
          </Badge>
        )}
        <span className={styles.journalCount} data-testid="journal-count">
          {shown.lines.length} {shown.lines.length === 1 ? 'line' : 'lines'}
          {shown.dropped > 0 && ` (oldest ${shown.dropped} dropped: the view keeps ${maxJournalLines})`}
        </span>
        <div className={styles.journalButtons}>
          {!ended && (
            <Button
              size="sm"
              variant="ghost"
              onClick={() => setPaused(paused ? null : journal)}
              aria-pressed={Boolean(paused)}
              data-testid="journal-pause"
            >
              {paused ? 'Resume' : 'Pause'}
            </Button>
          )}
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              clearJournal(qc, followId);
              setPaused(null);
            }}
            data-testid="journal-clear"
          >
            Clear
          </Button>
          <Button size="sm" onClick={onStop} data-testid="journal-stop">
            {ended ? 'Close' : 'Stop following'}
          </Button>
        </div>
      </header>
      <pre
        ref={ref}
        className={styles.journalLines}
        onScroll={onScroll}
        role="log"
        aria-live="off"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to scroll by keyboard (axe: scrollable-region-focusable)
        tabIndex={0}
        aria-label={`Journal lines of ${unit}`}
        data-testid="journal-lines"
      >
        {shown.lines.length === 0 ? (
          <span className={styles.quiet}>{ended ? 'No lines.' : 'Waiting for lines…'}</span>
        ) : (
          shown.lines.join('\n')
        )}
      </pre>
      {ended && (
        <div className={styles.journalEnd} data-testid="journal-ended" data-reason={ended.reason}>
          <Alert tone={ended.reason === 'unfollowed' || ended.reason === 'exited' ? 'amber' : 'red'}>
            {endedWords[ended.reason]}
            {ended.message && ` ${ended.message}`}
          </Alert>
          <Button variant="primary" size="sm" onClick={onFollowAgain} pending={restarting} pendingText="Starting…">
            Follow again
          </Button>
        </div>
      )}
    </section>
  );
}
