import { useQuery } from '@tanstack/react-query';
import { AnimatePresence, motion } from 'motion/react';
import { fullTime, relativeTime, useNow } from '../../lib/time';
import { Card } from '../../ui/card';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import styles from './activity-feed.module.css';
import { describeEvent } from './describe-event';
import { type ActivityEvent, isActivity, recentEventsQuery } from './queries';

const markerTone: Record<string, string | undefined> = {
  green: styles.green,
  red: styles.red,
  amber: styles.amber,
  accent: styles.accent,
  neutral: styles.neutral,
};

function Row({ event, now }: { event: ActivityEvent; now: number }) {
  const { tone, glyph, text } = describeEvent(event);
  return (
    <motion.li
      layout="position"
      className={styles.row}
      initial={{ opacity: 0, y: -10, backgroundColor: 'rgba(139, 124, 246, 0.14)' }}
      animate={{ opacity: 1, y: 0, backgroundColor: 'rgba(139, 124, 246, 0)' }}
      transition={{ duration: 0.35, ease: [0.2, 0, 0, 1], backgroundColor: { duration: 2.4 } }}
      data-testid="activity-row"
      data-topic={event.topic}
      data-event-id={event.id}
    >
      <span className={`${styles.marker} ${markerTone[tone] ?? ''}`} aria-hidden>
        {glyph}
      </span>
      <p className={styles.text}>{text}</p>
      <time className={styles.time} dateTime={event.at} title={fullTime(event.at)}>
        {relativeTime(event.at, now)}
      </time>
    </motion.li>
  );
}

/** Sign-ins and account changes of everyone, newest first, patched live by the EventsProvider. */
export function ActivityFeed() {
  const recent = useQuery(recentEventsQuery());
  const events = recent.data?.events.filter(isActivity) ?? [];
  const now = useNow(15_000);
  return (
    <Card
      title="Activity"
      description="Sign-ins and account changes, as they happen."
      flush
      data-testid="activity-feed"
    >
      {recent.isPending ? (
        <LoadingState label="Loading activity…" />
      ) : recent.isError ? (
        <ErrorState
          error={recent.error}
          title="Could not load activity"
          onRetry={() => void recent.refetch()}
          retrying={recent.isFetching}
        />
      ) : events.length === 0 ? (
        <EmptyState title="No activity yet" icon="◌">
          Sign-ins, sign-outs and account changes will appear here the moment they happen.
        </EmptyState>
      ) : (
        <ul className={styles.list}>
          <AnimatePresence initial={false}>
            {events.map((e) => (
              <Row key={e.id} event={e} now={now} />
            ))}
          </AnimatePresence>
        </ul>
      )}
    </Card>
  );
}
