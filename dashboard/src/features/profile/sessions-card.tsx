import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { fullTime, relativeTime, useNow } from '../../lib/time';
import { trpc } from '../../lib/trpc';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { ConfirmDialog } from '../../ui/dialog';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { useToast } from '../../ui/toast';
import type { Me } from '../auth/use-me';
import styles from './profile.module.css';
import { describeUserAgent } from './user-agent';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function SessionsCard({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const now = useNow(15_000);
  const [confirming, setConfirming] = useState(false);
  const [ending, setEnding] = useState<{ id: string; label: string } | null>(null);
  const sessions = useQuery(trpc.auth.sessions.queryOptions());
  const others = sessions.data?.filter((s) => !s.current) ?? [];
  // This device first, then the others by most recent activity.
  const ordered = sessions.data
    ? [...sessions.data].sort(
        (a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt),
      )
    : [];
  const logoutOthers = useMutation(
    trpc.auth.logoutOthers.mutationOptions({
      onSuccess: ({ revoked }) => {
        setConfirming(false);
        toast({ tone: 'green', title: `Signed out ${plural(revoked, 'other session', 'other sessions')}` });
        void queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() });
      },
    }),
  );

  const revokeOne = useMutation(
    trpc.auth.revokeSession.mutationOptions({
      onSuccess: () => {
        setEnding(null);
        toast({ tone: 'green', title: 'Session signed out' });
        void queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() });
      },
    }),
  );

  return (
    <Card
      title="Active sessions"
      description="Devices signed in to your account."
      flush
      data-testid="sessions-card"
      actions={
        others.length > 0 && (
          <Button size="sm" variant="danger" onClick={() => setConfirming(true)} data-testid="logout-others">
            Sign out all other sessions
          </Button>
        )
      }
    >
      {sessions.isPending ? (
        <LoadingState label="Loading sessions…" />
      ) : sessions.isError ? (
        <ErrorState
          error={sessions.error}
          title="Could not load sessions"
          onRetry={() => void sessions.refetch()}
          retrying={sessions.isFetching}
        />
      ) : sessions.data.length === 0 ? (
        <EmptyState title="No active sessions" />
      ) : (
        <ul className={styles.sessions}>
          {ordered.map((s) => (
            <li key={s.id} className={styles.session} data-testid="session-row" data-current={s.current}>
              <div className={styles.sessionMain}>
                <p className={styles.device} title={s.userAgent ?? undefined}>
                  {describeUserAgent(s.userAgent)}
                  {s.current && (
                    <Badge tone="green" dot>
                      This device
                    </Badge>
                  )}
                </p>
                <p className={styles.sessionMeta}>
                  <span className={styles.ip}>{s.ip ?? 'unknown address'}</span>
                  <span aria-hidden>·</span>
                  <span title={fullTime(s.createdAt)}>signed in {relativeTime(s.createdAt, now)}</span>
                  <span aria-hidden>·</span>
                  <span title={fullTime(s.lastSeenAt)}>last seen {relativeTime(s.lastSeenAt, now)}</span>
                </p>
              </div>
              {!s.current && (
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() =>
                    setEnding({ id: s.id, label: `${describeUserAgent(s.userAgent)} (${s.ip ?? 'unknown address'})` })
                  }
                  data-testid="revoke-session"
                >
                  Sign out
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {sessions.isSuccess && others.length === 0 && sessions.data.length > 0 && (
        <p className={styles.onlyThis}>You are signed in on this device only.</p>
      )}
      <ConfirmDialog
        open={ending !== null}
        title="Sign out this session?"
        confirmLabel="Sign out session"
        pendingLabel="Signing out…"
        pending={revokeOne.isPending}
        error={revokeOne.error ? errorMessage(revokeOne.error) : undefined}
        onConfirm={() => ending && revokeOne.mutate({ sessionId: ending.id })}
        onCancel={() => {
          setEnding(null);
          revokeOne.reset();
        }}
      >
        <p>
          This ends the session on <strong className={styles.strong}>{ending?.label}</strong>. That device will have to
          sign in again.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming}
        title="Sign out all other sessions?"
        confirmLabel={`Sign out ${plural(others.length, 'session', 'sessions')}`}
        pendingLabel="Signing out…"
        pending={logoutOthers.isPending}
        error={logoutOthers.error ? errorMessage(logoutOthers.error) : undefined}
        onConfirm={() => logoutOthers.mutate()}
        onCancel={() => {
          setConfirming(false);
          logoutOthers.reset();
        }}
      >
        <p>
          This signs <strong className={styles.strong}>{me.user.email}</strong> out of{' '}
          {plural(others.length, 'other session', 'other sessions')}. This device stays signed in.
        </p>
        <ul className={styles.confirmList}>
          {others.map((s) => (
            <li key={s.id}>
              {describeUserAgent(s.userAgent)} <span className={styles.ip}>{s.ip ?? ''}</span>
            </li>
          ))}
        </ul>
      </ConfirmDialog>
    </Card>
  );
}
