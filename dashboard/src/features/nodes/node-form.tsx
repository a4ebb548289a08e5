import { useQuery } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { errorMessage, fieldErrors } from '../../lib/errors';
import { Input } from '../../ui/input';
import { Select } from '../../ui/select';
import { Alert } from '../../ui/states';
import { Textarea } from '../../ui/textarea';
import styles from './nodes.module.css';
import { allNodesQuery, type NodeDetail, type NodeFieldsInput, parseLabels } from './queries';

/** What the details form holds: text as typed, turned into the core's input on submit. */
export interface NodeDraft {
  name: string;
  host: string;
  port: string;
  username: string;
  labels: string;
  jumpNodeId: string;
  notes: string;
  maxSessions: string;
}

export const blankDraft: NodeDraft = {
  name: '',
  host: '',
  port: '22',
  username: 'root',
  labels: '',
  jumpNodeId: '',
  notes: '',
  maxSessions: '8',
};

export const draftOf = (n: NodeDetail): NodeDraft => ({
  name: n.name,
  host: n.host,
  port: String(n.port),
  username: n.username,
  labels: n.labels.join(', '),
  jumpNodeId: n.jumpNodeId ?? '',
  notes: n.notes,
  maxSessions: String(n.maxSessions),
});

const whole = (v: string, min: number, max: number) => {
  const n = Number(v.trim());
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
};

type Parsed = { value: NodeFieldsInput; errors?: undefined } | { value?: undefined; errors: Record<string, string> };

/** The draft as the core's fields, or what is wrong with it before asking the core. */
export function draftToInput(d: NodeDraft): Parsed {
  const port = whole(d.port, 1, 65535);
  const maxSessions = whole(d.maxSessions, 1, 64);
  const errors: Record<string, string> = {};
  if (port === undefined) errors.port = 'A port from 1 to 65535.';
  if (maxSessions === undefined) errors.maxSessions = 'A whole number from 1 to 64.';
  if (port === undefined || maxSessions === undefined) return { errors };
  return {
    value: {
      name: d.name,
      host: d.host,
      port,
      username: d.username,
      labels: parseLabels(d.labels),
      jumpNodeId: d.jumpNodeId || null,
      notes: d.notes,
      maxSessions,
    },
  };
}

// The core checks names, hosts, users, labels and fingerprints together and says what is
// wrong with each in one sentence per problem ("Host: an IP address or a hostname."); each
// sentence goes under its field.
const problemFields: [RegExp, string][] = [
  [/^Name:/, 'name'],
  [/^Host key fingerprint:/, 'hostKeyFingerprint'],
  [/^Host:/, 'host'],
  [/^SSH user:/, 'username'],
  [/^Label /, 'labels'],
];

/** Per-field messages from the core's answer, and what is left for a form-level alert. */
export function nodeErrors(err: unknown): { fields: Record<string, string>; general?: string } {
  if (!err) return { fields: {} };
  const fields: Record<string, string> = {};
  for (const [path, message] of Object.entries(fieldErrors(err))) {
    const field = path.startsWith('labels') ? 'labels' : path.replace(/^credential\./, '');
    fields[field] ??= message;
  }
  const data =
    err instanceof TRPCClientError ? (err.data as { code?: string; details?: { problems?: unknown } }) : null;
  const problems = Array.isArray(data?.details?.problems) ? (data.details.problems as string[]) : [];
  let unmapped = problems.length === 0 && Object.keys(fields).length === 0;
  for (const p of problems) {
    const field = problemFields.find(([re]) => re.test(p))?.[1];
    if (field) fields[field] = fields[field] ? `${fields[field]} ${p}` : p;
    else unmapped = true;
  }
  const message = errorMessage(err);
  if (data?.code === 'CONFLICT' && /named/.test(message)) return { fields: { ...fields, name: message } };
  if (/jump host/i.test(message) && !problems.length) return { fields: { ...fields, jumpNodeId: message } };
  return { fields, general: unmapped ? message : undefined };
}

/** Name, address, login, labels, jump host, notes and session cap: adding and editing share them. */
export function NodeFields({
  draft,
  onChange,
  errors,
  selfId,
  autoFocus = false,
}: {
  draft: NodeDraft;
  onChange: (patch: Partial<NodeDraft>) => void;
  errors: Record<string, string>;
  /** The node being edited: it cannot be its own jump host. */
  selfId?: string;
  autoFocus?: boolean;
}) {
  const nodes = useQuery(allNodesQuery());
  // The core supports one hop: a node that is itself reached through a jump host cannot be one.
  const jumpCandidates = (nodes.data?.items ?? []).filter((n) => n.id !== selfId && !n.jumpNodeId);
  const labels = parseLabels(draft.labels);
  return (
    <>
      <Input
        label="Name"
        name="name"
        autoComplete="off"
        spellCheck={false}
        autoFocus={autoFocus}
        placeholder="web-1"
        value={draft.name}
        onChange={(e) => onChange({ name: e.target.value })}
        error={errors.name}
        hint="Lowercase letters, digits, “.”, “_” and “-”."
        data-testid="node-name"
      />
      <div className={styles.grid3}>
        <Input
          label="Host"
          name="host"
          autoComplete="off"
          spellCheck={false}
          placeholder="203.0.113.10 or web-1.example.com"
          value={draft.host}
          onChange={(e) => onChange({ host: e.target.value })}
          error={errors.host}
          data-testid="node-host"
        />
        <Input
          label="Port"
          name="port"
          inputMode="numeric"
          value={draft.port}
          onChange={(e) => onChange({ port: e.target.value })}
          error={errors.port}
          data-testid="node-port"
        />
        <Input
          label="SSH user"
          name="username"
          autoComplete="off"
          spellCheck={false}
          value={draft.username}
          onChange={(e) => onChange({ username: e.target.value })}
          error={errors.username}
          data-testid="node-user"
        />
      </div>
      <Input
        label="Labels (optional)"
        name="labels"
        autoComplete="off"
        spellCheck={false}
        placeholder="prod, eu-west, web"
        value={draft.labels}
        onChange={(e) => onChange({ labels: e.target.value })}
        error={errors.labels}
        hint={
          labels.length > 0
            ? `Separated by commas or spaces: ${labels.join(' · ')}`
            : 'Separated by commas or spaces. Labels group nodes for filters, fleet runs and access scopes.'
        }
        data-testid="node-labels"
      />
      <div className={styles.grid2}>
        <Select
          label="Jump host (optional)"
          value={draft.jumpNodeId}
          onChange={(e) => onChange({ jumpNodeId: e.target.value })}
          data-testid="node-jump"
          aria-invalid={errors.jumpNodeId ? true : undefined}
        >
          <option value="">None: connect directly</option>
          {jumpCandidates.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name} ({n.host})
            </option>
          ))}
        </Select>
        <Input
          label="Max sessions"
          name="maxSessions"
          inputMode="numeric"
          value={draft.maxSessions}
          onChange={(e) => onChange({ maxSessions: e.target.value })}
          error={errors.maxSessions}
          hint="Channels per connection; keep it below the node’s sshd MaxSessions (10 by default)."
          data-testid="node-max-sessions"
        />
      </div>
      {errors.jumpNodeId && <Alert>{errors.jumpNodeId}</Alert>}
      <Textarea
        label="Notes (optional)"
        name="notes"
        rows={2}
        maxLength={2000}
        value={draft.notes}
        onChange={(e) => onChange({ notes: e.target.value })}
        error={errors.notes}
      />
    </>
  );
}
