import { useMutation, useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { errorMessage, fieldErrors } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { ConfirmDialog } from '../../ui/dialog';
import { Input } from '../../ui/input';
import { Alert } from '../../ui/states';
import { Textarea } from '../../ui/textarea';
import { matchingNodes, plural, type Targets, targetNodesQuery } from './queries';
import styles from './runs.module.css';
import { TargetPicker } from './target-picker';
import { TargetList } from './target-summary';

/** Admins only (nodes:shell): any shell text, exactly as typed, on the chosen nodes. */
export function AdHocRunForm({ targets, onTargets }: { targets: Targets; onTargets: (t: Targets) => void }) {
  const navigate = useNavigate();
  const nodes = useQuery(targetNodesQuery());
  const [command, setCommand] = useState('');
  const [root, setRoot] = useState(false);
  const [timeout, setTimeoutText] = useState('300');
  const [problems, setProblems] = useState<{ command?: string; timeout?: string }>({});
  const [confirming, setConfirming] = useState(false);
  const start = useMutation(
    trpc.runs.startAdHoc.mutationOptions({
      onSuccess: ({ runId }) => void navigate({ to: '/runs/$runId', params: { runId } }),
    }),
  );
  const matched = matchingNodes(nodes.data?.items ?? [], targets);
  const seconds = Number(timeout);
  const fields = fieldErrors(start.error);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = {
      command: command.trim() ? undefined : 'Write the command.',
      timeout: Number.isInteger(seconds) && seconds >= 1 && seconds <= 3600 ? undefined : 'Between 1 and 3600 seconds.',
    };
    setProblems(found);
    if (!found.command && !found.timeout && matched.length > 0) setConfirming(true);
  };

  return (
    <form className={styles.form} onSubmit={submit} noValidate aria-label="Run an ad-hoc command">
      <Alert tone="amber">
        Ad-hoc commands run exactly as typed, with the full power of the login user (or root), on every chosen node at
        once. Nothing checks them first. Prefer a named command for anything routine.
      </Alert>
      <Textarea
        label="Command"
        value={command}
        onChange={(e) => setCommand(e.target.value)}
        rows={4}
        spellCheck={false}
        autoComplete="off"
        className={styles.monoInput}
        error={problems.command ?? fields.command}
        hint="Runs in sh -c on each node. Output streams live on the run's page."
        data-testid="adhoc-command"
      />
      <div className={styles.inline}>
        <label className={styles.checkRow}>
          <input type="checkbox" checked={root} onChange={(e) => setRoot(e.target.checked)} data-testid="adhoc-root" />
          Run as root (sudo)
        </label>
        <Input
          label="Timeout (seconds)"
          value={timeout}
          inputMode="numeric"
          onChange={(e) => setTimeoutText(e.target.value)}
          error={problems.timeout ?? fields.timeoutSeconds}
          className={styles.timeout}
          data-testid="adhoc-timeout"
        />
      </div>
      <TargetPicker value={targets} onChange={onTargets} />
      <div className={styles.formFooter}>
        <Button type="submit" variant="danger" disabled={matched.length === 0} data-testid="adhoc-submit">
          Run ad-hoc{matched.length ? ` on ${plural(matched.length, 'node')}` : ''}
        </Button>
      </div>
      <ConfirmDialog
        open={confirming}
        title={`Run this on ${plural(matched.length, 'node')}${root ? ' as root' : ''}?`}
        confirmLabel="Run it"
        pendingLabel="Starting…"
        pending={start.isPending}
        error={start.error ? errorMessage(start.error) : undefined}
        onConfirm={() => start.mutate({ command, root, timeoutSeconds: seconds, targets })}
        onCancel={() => {
          setConfirming(false);
          start.reset();
        }}
      >
        <pre className={styles.template}>{command}</pre>
        <p>
          It runs as typed{root ? ', as root,' : ''} on these nodes, stopped after {seconds} s:
        </p>
        <TargetList nodes={matched} />
      </ConfirmDialog>
    </form>
  );
}
