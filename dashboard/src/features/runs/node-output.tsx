import { useLayoutEffect, useRef, useState } from 'react';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import type { Chunk, LiveNode } from './live-output';
import { isFinal, type RunNode, runStatusMeta } from './queries';
import styles from './run-page.module.css';

/**
 * What to show for a node. While it runs: the live chunks. Once it ended: the live chunks
 * still, when this tab saw all of them (they keep stdout and stderr apart); otherwise the
 * output the core stored, which is complete (it arrives with the refetch after the end event).
 */
function outputOf(node: RunNode, live: LiveNode | undefined): { chunks: Chunk[]; partial: boolean } {
  const stored = isFinal(node.status) && node.finishedAt !== null;
  if (live && (!stored || (live.fromStart && !live.clipped))) {
    return { chunks: live.chunks, partial: !live.fromStart };
  }
  if (stored) return { chunks: node.output ? [{ stream: 'stdout', text: node.output }] : [], partial: false };
  return { chunks: [], partial: node.status === 'running' };
}

/** One node of a run: its status, exit code, error, and output that follows the bottom. */
export function NodeOutput({ node, live }: { node: RunNode; live: LiveNode | undefined }) {
  const { chunks, partial } = outputOf(node, live);
  const ref = useRef<HTMLPreElement>(null);
  const [following, setFollowing] = useState(true);
  const text = chunks.reduce((n, c) => n + c.text.length, 0);
  // New output scrolls into view, unless the reader scrolled up to read something.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the output grows
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && following) el.scrollTop = el.scrollHeight;
  }, [text, following]);
  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atBottom !== following) setFollowing(atBottom);
  };
  const m = runStatusMeta[node.status];
  return (
    <section
      className={styles.node}
      aria-label={`Node ${node.nodeName}`}
      data-testid="run-node"
      data-node={node.nodeName}
      data-status={node.status}
    >
      <header className={styles.nodeHeader}>
        <h3 className={styles.nodeName}>{node.nodeName}</h3>
        <Badge tone={m.tone} dot pulse={node.status === 'running'} data-testid="run-node-status">
          {m.label}
        </Badge>
        {node.exitCode !== null && (
          <Badge tone={node.exitCode === 0 ? 'neutral' : 'red'} data-testid="run-node-exit">
            exit {node.exitCode}
          </Badge>
        )}
      </header>
      {node.error && !(node.status === 'cancelled' && node.error === 'cancelled') && (
        <p className={styles.nodeError} role="status" data-testid="run-node-error">
          {node.error}
        </p>
      )}
      <div className={styles.outputWrap}>
        <pre
          ref={ref}
          className={styles.output}
          onScroll={onScroll}
          // A log that is not read aloud chunk by chunk, and scrolls with the keyboard too.
          role="log"
          aria-live="off"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to scroll by keyboard (axe: scrollable-region-focusable)
          tabIndex={0}
          aria-label={`Output of ${node.nodeName}`}
          data-testid="run-node-output"
        >
          {chunks.length === 0 ? (
            <span className={styles.quiet}>
              {node.status === 'queued'
                ? 'Waiting to start…'
                : node.status === 'running'
                  ? 'No output yet…'
                  : 'No output.'}
            </span>
          ) : (
            chunks.map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: chunks only grow at the end
              <span key={i} className={c.stream === 'stderr' ? styles.stderr : undefined} data-stream={c.stream}>
                {c.text}
              </span>
            ))
          )}
        </pre>
        {!following && (
          <Button size="sm" className={styles.jump} onClick={() => setFollowing(true)}>
            Follow output
          </Button>
        )}
      </div>
      {partial && (
        <p className={styles.note}>This page opened after the node started: earlier output appears when it ends.</p>
      )}
      {node.truncated && (
        <p className={styles.note} data-testid="run-node-truncated">
          Output was over the 256 KiB kept per node: the command was stopped and the rest is not shown.
        </p>
      )}
    </section>
  );
}
