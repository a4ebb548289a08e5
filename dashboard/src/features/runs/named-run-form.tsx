import { useMutation, useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { ConfirmDialog } from '../../ui/dialog';
import { Select } from '../../ui/select';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { ParamField } from './param-field';
import { checkAll, initialValues, type ParamValues, paramsToSend } from './params';
import { matchingNodes, plural, type Targets, targetNodesQuery } from './queries';
import styles from './runs.module.css';
import { TargetPicker } from './target-picker';
import { TargetList } from './target-summary';

/** A named command: pick it, fill its typed parameters, choose targets, confirm. */
export function NamedRunForm({ targets, onTargets }: { targets: Targets; onTargets: (t: Targets) => void }) {
  const navigate = useNavigate();
  const commands = useQuery(trpc.commands.list.queryOptions());
  const nodes = useQuery(targetNodesQuery());
  const [commandId, setCommandId] = useState('');
  const [values, setValues] = useState<ParamValues>({});
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [confirming, setConfirming] = useState(false);
  const start = useMutation(
    trpc.runs.start.mutationOptions({
      onSuccess: ({ runId }) => void navigate({ to: '/runs/$runId', params: { runId } }),
    }),
  );

  if (commands.isPending) return <LoadingState label="Loading commands…" />;
  if (commands.isError) {
    return (
      <ErrorState
        error={commands.error}
        title="Could not load commands"
        onRetry={() => void commands.refetch()}
        retrying={commands.isFetching}
      />
    );
  }
  if (commands.data.length === 0) {
    return <EmptyState title="No commands yet">An admin defines the commands operators may run.</EmptyState>;
  }
  const cmd = commands.data.find((c) => c.id === commandId);
  const matched = matchingNodes(nodes.data?.items ?? [], targets);
  const choose = (id: string) => {
    setCommandId(id);
    setValues(initialValues(commands.data.find((c) => c.id === id)));
    setProblems({});
    start.reset();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!cmd) return;
    const found = checkAll(cmd, values);
    setProblems(found);
    if (Object.keys(found).length === 0 && matched.length > 0) setConfirming(true);
  };

  return (
    <form className={styles.form} onSubmit={submit} noValidate aria-label="Run a named command">
      <Select label="Command" value={commandId} onChange={(e) => choose(e.target.value)} data-testid="run-command">
        <option value="">Choose a command…</option>
        {commands.data.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </Select>
      {cmd && (
        <div className={styles.commandInfo} data-testid="command-info">
          {cmd.description && <p>{cmd.description}</p>}
          <pre className={styles.template} data-testid="command-template-view">
            {cmd.template}
          </pre>
          <p className={styles.hint}>
            Runs {cmd.root ? 'as root (sudo)' : 'as the login user'}, stopped after {cmd.timeoutSeconds} s. Values are
            quoted for the shell: they are never run as code.
          </p>
        </div>
      )}
      {cmd && cmd.params.length > 0 && (
        <fieldset className={styles.fieldset}>
          <legend className={styles.legend}>Parameters</legend>
          <div className={styles.params}>
            {cmd.params.map((p) => (
              <ParamField
                key={p.name}
                param={p}
                value={values[p.name] ?? ''}
                error={problems[p.name]}
                onChange={(v) => {
                  setValues((old) => ({ ...old, [p.name]: v }));
                  setProblems(({ [p.name]: _, ...rest }) => rest);
                }}
              />
            ))}
          </div>
        </fieldset>
      )}
      <TargetPicker value={targets} onChange={onTargets} />
      <div className={styles.formFooter}>
        <Button type="submit" variant="primary" disabled={!cmd || matched.length === 0} data-testid="run-submit">
          Run{matched.length ? ` on ${plural(matched.length, 'node')}` : ''}
        </Button>
      </div>
      <ConfirmDialog
        open={confirming}
        tone="primary"
        title={`Run ${cmd?.name} on ${plural(matched.length, 'node')}?`}
        confirmLabel="Run now"
        pendingLabel="Starting…"
        pending={start.isPending}
        error={start.error ? errorMessage(start.error) : undefined}
        onConfirm={() => cmd && start.mutate({ commandId: cmd.id, params: paramsToSend(cmd, values), targets })}
        onCancel={() => {
          setConfirming(false);
          start.reset();
        }}
      >
        {cmd && cmd.params.length > 0 && (
          <dl className={styles.confirmParams}>
            {cmd.params.map((p) => (
              <div key={p.name}>
                <dt>{p.name}</dt>
                <dd>{paramsToSend(cmd, values)[p.name] ?? <em>default</em>}</dd>
              </div>
            ))}
          </dl>
        )}
        <p>It runs at once on these nodes{cmd?.root ? ', as root' : ''}:</p>
        <TargetList nodes={matched} />
      </ConfirmDialog>
    </form>
  );
}
