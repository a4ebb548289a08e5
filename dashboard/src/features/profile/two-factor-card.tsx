import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage, needsReauth } from '../../lib/errors';
import { fullTime } from '../../lib/time';
import { trpc } from '../../lib/trpc';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { ConfirmDialog } from '../../ui/dialog';
import { ErrorState, LoadingState } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { ReauthPrompt } from '../auth/reauth-prompt';
import type { Me } from '../auth/use-me';
import { policyText } from '../users/two-factor-policy';
import { EnrolTwoFactorDialog } from './enrol-two-factor-dialog';
import styles from './two-factor.module.css';

export function TwoFactorCard({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [enrolling, setEnrolling] = useState(false);
  const [disabling, setDisabling] = useState(false);
  const status = useQuery(trpc.twoFactor.status.queryOptions());
  const disable = useMutation(
    trpc.twoFactor.disable.mutationOptions({
      onSuccess: () => {
        setDisabling(false);
        toast({
          tone: 'green',
          title: 'Two-factor authentication is off',
          body: 'Signing in needs only your password.',
        });
        void queryClient.invalidateQueries({ queryKey: trpc.twoFactor.status.queryKey() });
      },
    }),
  );
  const s = status.data;
  const required = s ? s.policy === 'all' || (s.policy === 'admins' && me.user.role === 'admin') : false;
  const reauth = needsReauth(disable.error);

  return (
    <Card
      title="Two-factor authentication"
      description="A code from an authenticator app, asked for after your password."
      data-testid="two-factor-card"
      actions={
        s && (
          <Badge tone={s.enabled ? 'green' : required ? 'amber' : 'neutral'} dot data-testid="two-factor-status">
            {s.enabled ? 'On' : 'Off'}
          </Badge>
        )
      }
    >
      {status.isPending ? (
        <LoadingState label="Loading two-factor status…" />
      ) : status.isError ? (
        <ErrorState
          error={status.error}
          title="Could not load two-factor status"
          onRetry={() => void status.refetch()}
          retrying={status.isFetching}
        />
      ) : (
        <div className={styles.status}>
          <dl className={styles.facts}>
            <dt>Status</dt>
            <dd>{status.data.enabled ? `On since ${fullTime(status.data.enabledAt ?? '')}` : 'Off'}</dd>
            {status.data.enabled && (
              <>
                <dt>Recovery codes</dt>
                <dd data-testid="recovery-left">
                  {status.data.recoveryCodesLeft} of 10 left
                  {status.data.recoveryCodesLeft <= 3 && ' — turn 2FA off and on again for new ones'}
                </dd>
              </>
            )}
            <dt>Instance policy</dt>
            <dd>{policyText[status.data.policy]}</dd>
          </dl>
          <div className={styles.cardFooter}>
            <p className={styles.muted}>
              {status.data.enabled
                ? required
                  ? 'Your administrator requires it for your account.'
                  : 'Turning it off makes your password the only thing between an attacker and your servers.'
                : required
                  ? 'Your administrator requires it: turn it on to use serverbox.'
                  : 'Recommended for every account that can change servers.'}
            </p>
            {status.data.enabled ? (
              <Button
                variant="danger"
                disabled={required}
                title={required ? 'Required by the instance policy' : undefined}
                onClick={() => setDisabling(true)}
                data-testid="two-factor-disable"
              >
                Turn off
              </Button>
            ) : (
              <Button variant="primary" onClick={() => setEnrolling(true)} data-testid="two-factor-enable">
                Turn on
              </Button>
            )}
          </div>
        </div>
      )}
      <EnrolTwoFactorDialog open={enrolling} email={me.user.email} onClose={() => setEnrolling(false)} />
      <ConfirmDialog
        open={disabling}
        title="Turn off two-factor authentication?"
        confirmLabel="Turn off 2FA"
        pendingLabel="Turning off…"
        pending={disable.isPending}
        error={disable.error && !reauth ? errorMessage(disable.error) : undefined}
        onConfirm={() => disable.mutate()}
        onCancel={() => {
          setDisabling(false);
          disable.reset();
        }}
      >
        <p>
          Signing in as <strong className={styles.strong}>{me.user.email}</strong> will need only the password. Your
          authenticator app&rsquo;s entry and all recovery codes stop working.
        </p>
        {reauth && <ReauthPrompt onConfirmed={() => disable.mutate()} />}
      </ConfirmDialog>
    </Card>
  );
}
