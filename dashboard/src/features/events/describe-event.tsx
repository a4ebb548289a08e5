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

type Change = Extract<ActivityEvent, { topic: 'users.changed' }>['data'];

/** An admin's change to someone's account: "Ada changed Bob's role to viewer". */
function describeChange(d: Change): { tone: Tone; glyph: string; text: ReactNode } {
  const by = <Who user={d.by} />;
  const user = <Who user={d.user} />;
  switch (d.change) {
    case 'role':
      return {
        tone: 'accent',
        glyph: '~',
        text: (
          <>
            {by} changed {user}&rsquo;s role to {d.role ?? 'another role'}
          </>
        ),
      };
    case 'disabled':
      return {
        tone: 'red',
        glyph: '×',
        text: (
          <>
            {by} disabled {user}
          </>
        ),
      };
    case 'enabled':
      return {
        tone: 'green',
        glyph: '✓',
        text: (
          <>
            {by} enabled {user} again
          </>
        ),
      };
    case 'signedOut':
      return {
        tone: 'amber',
        glyph: '←',
        text: (
          <>
            {by} signed {user} out everywhere
          </>
        ),
      };
    default: // a kind of change this dashboard does not know yet
      return {
        tone: 'neutral',
        glyph: '~',
        text: (
          <>
            {by} changed {user}&rsquo;s account
          </>
        ),
      };
  }
}

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
        text:
          e.data.via === 'invite' ? (
            <>
              <Who user={e.data.user} /> <span className={styles.faint}>{e.data.user.email}</span> accepted an
              invitation and joined as {e.data.role}
            </>
          ) : (
            <>
              Created {e.data.role} <Who user={e.data.user} /> <span className={styles.faint}>{e.data.user.email}</span>{' '}
              via {e.data.via === 'cli' ? 'the CLI' : 'setup'}
            </>
          ),
      };
    case 'users.invited':
      return {
        tone: 'accent',
        glyph: '@',
        text: (
          <>
            <Who user={e.data.by} /> invited <span className={styles.mono}>{e.data.email}</span> as {e.data.role}
          </>
        ),
      };
    case 'users.changed':
      return describeChange(e.data);
    default:
      return { tone: 'neutral', glyph: '·', text: (e as { topic: string }).topic };
  }
}
