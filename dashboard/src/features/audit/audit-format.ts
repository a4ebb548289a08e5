import type { Tone } from '../../ui/badge';
import type { ActorType, AuditRow, Outcome } from './queries';

export const outcomeTone: Record<Outcome, Tone> = { success: 'green', failure: 'amber', denied: 'red' };

export const actorTone: Record<ActorType, Tone> = {
  user: 'accent',
  token: 'amber',
  guest: 'amber',
  system: 'neutral',
  anonymous: 'neutral',
};

export const targetLabel = (t: AuditRow['target']) => (t ? (t.name ?? t.id ?? '') : '');

const sameDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const otherDay = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Dense: the time alone for today's rows, the date too for older ones. */
export function tableTime(iso: string, now: number): string {
  const d = new Date(iso);
  return d.toDateString() === new Date(now).toDateString() ? sameDay.format(d) : otherDay.format(d);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** ISO instant → the local "YYYY-MM-DDTHH:mm" a datetime-local input shows. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (local time) → ISO instant; empty or invalid → undefined. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
