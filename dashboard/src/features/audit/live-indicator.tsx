import { useNow } from '../../lib/time';
import { Badge } from '../../ui/badge';
import { useMe } from '../auth/use-me';
import { useConnectionStatus } from '../events/events-provider';
import { type AuditFilters, acceptsLiveRows } from './queries';

/** Whether new rows will appear at the top of this view by themselves, and why not. */
export function LiveIndicator({ filters }: { filters: AuditFilters }) {
  const status = useConnectionStatus();
  const { can } = useMe();
  const now = useNow(15_000);
  if (!can('events:read') || status === 'off') return null;
  if (!acceptsLiveRows(filters, now)) {
    return (
      <span data-testid="audit-live" data-live="false" title="The time filter ends in the past: no new event fits it">
        <Badge>Paused</Badge>
      </span>
    );
  }
  if (status !== 'live') {
    return (
      <span data-testid="audit-live" data-live="false" title="Resuming the live stream where it left off">
        <Badge tone="amber" dot>
          Reconnecting
        </Badge>
      </span>
    );
  }
  return (
    <span data-testid="audit-live" data-live="true" title="New events appear at the top as they are recorded">
      <Badge tone="green" dot pulse>
        Live
      </Badge>
    </span>
  );
}
