import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorMessage, errorProblems, fieldErrors } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { Drawer } from '../../ui/drawer';
import { Input } from '../../ui/input';
import { Alert } from '../../ui/states';
import { Textarea } from '../../ui/textarea';
import { useToast } from '../../ui/toast';
import { blankCommand, type CommandDraft, draftOf, inputOf } from './command-draft';
import { ParamEditor } from './param-editor';
import type { Command } from './queries';
import styles from './runs.module.css';

/** Creates a named command, or edits one; the core checks the template and says what is wrong. */
export function CommandEditor({
  open,
  command,
  onClose,
}: {
  open: boolean;
  /** The command to edit; null to create one. */
  command: Command | null;
  onClose: () => void;
}) {
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={command ? `Edit ${command.name}` : 'New command'}
      subtitle="Operators run it with the values they fill in; each value is quoted, never run as code."
      data-testid="command-editor"
    >
      {open && <EditorForm key={command?.id ?? 'new'} command={command} onDone={onClose} />}
    </Drawer>
  );
}

function EditorForm({ command, onDone }: { command: Command | null; onDone: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [draft, setDraft] = useState<CommandDraft>(() => (command ? draftOf(command) : blankCommand()));
  const saved = (name: string) => {
    toast({ tone: 'green', title: command ? `${name} saved` : `${name} created` });
    void queryClient.invalidateQueries({ queryKey: trpc.commands.list.queryKey() });
    onDone();
  };
  const create = useMutation(trpc.commands.create.mutationOptions({ onSuccess: (c) => saved(c.name) }));
  const update = useMutation(trpc.commands.update.mutationOptions({ onSuccess: (c) => saved(c.name) }));
  const save = command ? update : create;
  const fields = fieldErrors(save.error);
  const problems = errorProblems(save.error);
  const set = (patch: Partial<CommandDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (command) update.mutate({ id: command.id, ...inputOf(draft) });
    else create.mutate(inputOf(draft));
  };

  return (
    <form className={styles.form} onSubmit={submit} noValidate aria-label="Command" data-testid="command-form">
      <Input
        label="Name"
        value={draft.name}
        onChange={(e) => set({ name: e.target.value })}
        error={fields.name}
        hint="Lowercase letters, digits, “.”, “_” and “-”, such as restart-unit."
        className={styles.monoInput}
        autoComplete="off"
        spellCheck={false}
        autoFocus
        data-testid="command-name"
      />
      <Input
        label="Description"
        value={draft.description}
        onChange={(e) => set({ description: e.target.value })}
        error={fields.description}
        data-testid="command-description"
      />
      <Textarea
        label="Template"
        value={draft.template}
        rows={4}
        onChange={(e) => set({ template: e.target.value })}
        error={fields.template}
        hint="Shell, with {name} where a parameter's value goes: a whole word, outside quotes (it is quoted for you)."
        className={styles.monoInput}
        spellCheck={false}
        data-testid="command-template"
      />
      <div className={styles.inline}>
        <label className={styles.checkRow}>
          <input type="checkbox" checked={draft.root} onChange={(e) => set({ root: e.target.checked })} />
          Run as root (sudo)
        </label>
        <Input
          label="Timeout (seconds)"
          value={draft.timeout}
          inputMode="numeric"
          onChange={(e) => set({ timeout: e.target.value })}
          error={fields.timeoutSeconds}
          className={styles.timeout}
        />
      </div>
      <ParamEditor params={draft.params} errors={fields} onChange={(params) => set({ params })} />
      {save.error && (
        <Alert>
          {problems.length > 1 ? (
            <ul className={styles.problems} data-testid="command-problems">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          ) : (
            <span data-testid="command-problems">{errorMessage(save.error)}</span>
          )}
        </Alert>
      )}
      <div className={styles.formFooter}>
        <Button variant="ghost" onClick={onDone} disabled={save.isPending}>
          Cancel
        </Button>
        <Button
          type="submit"
          variant="primary"
          pending={save.isPending}
          pendingText="Saving…"
          data-testid="command-save"
        >
          {command ? 'Save changes' : 'Create command'}
        </Button>
      </div>
    </form>
  );
}
