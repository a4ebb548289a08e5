import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage, needsReauth } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { ErrorState, LoadingState } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { ReauthPrompt } from '../auth/reauth-prompt';
import checks from '../guests/guests.module.css';
import { policyOptions, policyText, type TwoFactorPolicy } from './two-factor-policy';
import styles from './users.module.css';

/** The instance policy: who must have two-factor authentication before using serverbox. */
export function TwoFactorPolicyCard() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const status = useQuery(trpc.twoFactor.status.queryOptions());
  const [draft, setDraft] = useState<TwoFactorPolicy | null>(null);
  const setPolicy = useMutation(
    trpc.twoFactor.setPolicy.mutationOptions({
      onSuccess: (_, { policy }) => {
        setDraft(null);
        toast({ tone: 'green', title: 'Two-factor policy saved', body: policyText[policy] });
        void queryClient.invalidateQueries({ queryKey: trpc.twoFactor.status.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.session.whoami.queryKey() });
      },
    }),
  );
  const current = status.data?.policy;
  const chosen = draft ?? current ?? 'off';
  const reauth = needsReauth(setPolicy.error);
  const save = () => setPolicy.mutate({ policy: chosen });

  return (
    <Card
      title="Require two-factor authentication"
      description="People it applies to can open only their profile until they turn 2FA on; nobody is signed out."
      data-testid="two-factor-policy-card"
    >
      {status.isPending ? (
        <LoadingState label="Loading the policy…" />
      ) : status.isError ? (
        <ErrorState
          error={status.error}
          title="Could not load the policy"
          onRetry={() => void status.refetch()}
          retrying={status.isFetching}
        />
      ) : (
        <div className={styles.policy}>
          <fieldset className={checks.fieldset}>
            <legend className="sr-only">Require two-factor authentication of</legend>
            {policyOptions.map((o) => (
              <label key={o.value} className={checks.check}>
                <input
                  type="radio"
                  name="two-factor-policy"
                  value={o.value}
                  checked={chosen === o.value}
                  onChange={() => {
                    setDraft(o.value);
                    setPolicy.reset();
                  }}
                  data-testid={`policy-${o.value}`}
                />
                <span className={checks.scopeName}>
                  {o.label}
                  {o.value === current && <span className={styles.meta}> (current)</span>}
                </span>
                <span className={styles.meta}>{o.effect}</span>
              </label>
            ))}
          </fieldset>
          {reauth ? (
            <ReauthPrompt onConfirmed={save} />
          ) : (
            setPolicy.error && <p className={checks.error}>{errorMessage(setPolicy.error)}</p>
          )}
          <div>
            <Button
              variant="primary"
              disabled={chosen === current || reauth}
              pending={setPolicy.isPending}
              pendingText="Saving…"
              onClick={save}
              data-testid="policy-save"
            >
              Save policy
            </Button>
          </div>
        </div>
      )}
    </Card>
  );
}
