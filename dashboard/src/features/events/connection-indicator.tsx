import { Badge } from '../../ui/badge';
import { useConnectionStatus } from './events-provider';

const labels = {
  live: { tone: 'green', text: 'Live', title: 'Receiving live updates' },
  connecting: { tone: 'neutral', text: 'Connecting', title: 'Opening the live update stream' },
  reconnecting: { tone: 'amber', text: 'Reconnecting', title: 'Lost the live stream; resuming where it left off' },
} as const;

/** Live / reconnecting state of the tab's one event stream. */
export function ConnectionBadge() {
  const status = useConnectionStatus();
  if (status === 'off') return null;
  const l = labels[status];
  return (
    <span data-testid="connection-status" data-status={status} title={l.title}>
      <Badge tone={l.tone} dot pulse={status === 'live'}>
        {l.text}
      </Badge>
    </span>
  );
}
