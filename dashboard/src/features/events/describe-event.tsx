import type { ReactNode } from 'react';
import type { Tone } from '../../ui/badge';
import styles from './activity-feed.module.css';
import type { ActivityEvent } from './queries';

const Who = ({ user }: { user: { name: string; email: string } }) => (
  <strong className={styles.who} title={user.email}>
    {user.name}
  </strong>
);
const Ip = ({ ip }: { ip: string | null }) =>
  ip ? (
    <>
      {' '}
      from <span className={styles.mono}>{ip}</span>
    </>
  ) : null;

/** One humane sentence per topic, with a tone and a glyph for the row's marker. */
export function describeEvent(e: ActivityEvent): { tone: Tone; glyph: string; text: ReactNode } {
  switch (e.topic) {
    case 'auth.signedIn':
      return {
        tone: 'green',
        glyph: '→',
        text: (
          <>
            <Who user={e.data.user} /> signed in
            <Ip ip={e.data.ip} />
          </>
        ),
      };
    case 'auth.signInFailed':
      return {
        tone: e.data.reason === 'rate-limited' ? 'amber' : 'red',
        glyph: '!',
        text: (
          <>
            Failed sign-in for <span className={styles.mono}>{e.data.email}</span> (
            {e.data.reason === 'rate-limited' ? 'rate-limited' : 'wrong credentials'})
            <Ip ip={e.data.ip} />
          </>
        ),
      };
    case 'auth.signedOut':
      return {
        tone: 'neutral',
        glyph: '←',
        text: (
          <>
            <Who user={e.data.user} />{' '}
            {e.data.others
              ? e.data.count === undefined
                ? 'signed out of other sessions'
                : `signed out of ${e.data.count} other ${e.data.count === 1 ? 'session' : 'sessions'}`
              : 'signed out'}
          </>
        ),
      };
    case 'auth.passwordChanged':
      return {
        tone: 'accent',
        glyph: '*',
        text: (
          <>
            <Who user={e.data.user} /> changed their password
          </>
        ),
      };
    case 'users.created':
      return {
        tone: 'accent',
        glyph: '+',
        text: (
          <>
            Created {e.data.role} <Who user={e.data.user} /> <span className={styles.faint}>{e.data.user.email}</span>{' '}
            via {e.data.via === 'cli' ? 'the CLI' : 'setup'}
          </>
        ),
      };
    default:
      return { tone: 'neutral', glyph: '·', text: (e as { topic: string }).topic };
  }
}
