import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { errorMessage } from '../../lib/errors';
import { countdown, fullTime, useNow } from '../../lib/time';
import { trpc } from '../../lib/trpc';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { IconEye } from '../../ui/icons';
import { useToast } from '../../ui/toast';
import type { Guest } from '../auth/use-me';
import { scopeInfo } from '../guests/scopes';
import styles from './guest-banner.module.css';

const list = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' });
const urgentSeconds = 5 * 60;

/** Always in view for a guest: whose link this is, what it allows and how long it lasts. */
export function GuestBanner({ guest }: { guest: Guest }) {
  const queryClient = useQueryClient();
  const now = useNow(1000);
  const left = (Date.parse(guest.expiresAt) - now) / 1000;
  const over = left <= 0;
  // The core ends the stream at expiry too; asking again here covers a tab that slept through it.
  useEffect(() => {
    if (over) void queryClient.invalidateQueries({ queryKey: trpc.session.whoami.queryKey() });
  }, [over, queryClient]);
  const toast = useToast();
  // The guest cookie is HttpOnly: only the core can clear it. Asking who this is afterwards
  // answers "anonymous", which the shell shows as the ended guest access.
  const end = useMutation(
    trpc.session.endGuest.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.session.whoami.queryKey() });
      },
      onError: (err) => toast({ tone: 'red', title: 'Could not end the guest session', body: errorMessage(err) }),
    }),
  );
  const phrases = guest.permissions.flatMap((p) => scopeInfo(p)?.phrase ?? []);
  return (
    <aside className={styles.banner} aria-label="Guest access" data-testid="guest-banner">
      <span className={styles.icon}>
        <IconEye />
      </span>
      <p className={styles.text}>
        <span className={styles.strong}>Guest access:</span> <span className={styles.label}>{guest.label}</span>
        <span className={styles.sep} aria-hidden>
          ·
        </span>
        <span
          className={`${styles.remaining} ${left < urgentSeconds ? styles.urgent : ''}`}
          title={`Until ${fullTime(guest.expiresAt)}`}
          data-testid="guest-remaining"
        >
          {over ? 'expired' : `expires in ${countdown(left)}`}
        </span>
        {phrases.length > 0 && (
          <>
            <span className={styles.sep} aria-hidden>
              ·
            </span>
            can {list.format(phrases)}
          </>
        )}
      </p>
      <Badge tone="amber">Read-only</Badge>
      <Button
        size="sm"
        variant="ghost"
        onClick={() => end.mutate()}
        pending={end.isPending}
        pendingText="Ending…"
        data-testid="end-guest-session"
      >
        End guest session
      </Button>
    </aside>
  );
}
