import { Button } from '../../ui/button';
import { Input } from '../../ui/input';
import { Select } from '../../ui/select';
import { Textarea } from '../../ui/textarea';
import { blankParam, type ParamDraft, type ParamType, paramTypes } from './command-draft';
import styles from './runs.module.css';

/** The typed parameters of a command; `{name}` in the template stands for each one. */
export function ParamEditor({
  params,
  errors,
  onChange,
}: {
  params: ParamDraft[];
  /** zod issue messages by path, such as `params.0.name`. */
  errors: Record<string, string>;
  onChange: (params: ParamDraft[]) => void;
}) {
  const set = (key: number, patch: Partial<ParamDraft>) =>
    onChange(params.map((p) => (p.key === key ? { ...p, ...patch } : p)));
  return (
    <fieldset className={styles.fieldset}>
      <legend className={styles.legend}>Parameters</legend>
      {params.length === 0 && (
        <p className={styles.hint}>None: the command runs as written. Add one for each value an operator fills in.</p>
      )}
      {params.map((p, i) => (
        <div key={p.key} className={styles.paramBox} data-testid="param-editor-row">
          <div className={styles.paramGrid}>
            <Input
              label={`Parameter ${i + 1} name`}
              value={p.name}
              onChange={(e) => set(p.key, { name: e.target.value })}
              error={errors[`params.${i}.name`]}
              className={styles.monoInput}
              autoComplete="off"
              spellCheck={false}
              data-testid="param-name"
            />
            <Select
              label="Type"
              value={p.type}
              onChange={(e) => set(p.key, { type: e.target.value as ParamType })}
              data-testid="param-type"
            >
              {paramTypes.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </Select>
            <Input
              label="Default"
              value={p.default}
              onChange={(e) => set(p.key, { default: e.target.value })}
              error={errors[`params.${i}.default`]}
              className={styles.monoInput}
              autoComplete="off"
            />
          </div>
          {p.type === 'string' && (
            <Input
              label="Pattern (optional)"
              value={p.pattern}
              onChange={(e) => set(p.key, { pattern: e.target.value })}
              error={errors[`params.${i}.pattern`]}
              hint="A regular expression the whole value must match, such as [a-z0-9-]+\.service"
              className={styles.monoInput}
              spellCheck={false}
              autoComplete="off"
            />
          )}
          {p.type === 'enum' && (
            <Textarea
              label="Allowed values"
              value={p.values}
              rows={3}
              onChange={(e) => set(p.key, { values: e.target.value })}
              error={errors[`params.${i}.values`]}
              hint="One per line, or separated by commas."
              className={styles.monoInput}
            />
          )}
          <Input
            label="Description (optional)"
            value={p.description}
            onChange={(e) => set(p.key, { description: e.target.value })}
            error={errors[`params.${i}.description`]}
          />
          <div className={styles.paramActions}>
            <label className={styles.checkRow}>
              <input
                type="checkbox"
                checked={p.required}
                onChange={(e) => set(p.key, { required: e.target.checked })}
              />
              Required
            </label>
            <Button
              size="sm"
              variant="ghost"
              onClick={() => onChange(params.filter((x) => x.key !== p.key))}
              aria-label={`Remove parameter ${p.name || i + 1}`}
            >
              Remove
            </Button>
          </div>
        </div>
      ))}
      <div>
        <Button size="sm" onClick={() => onChange([...params, blankParam()])} data-testid="param-add">
          Add parameter
        </Button>
      </div>
    </fieldset>
  );
}
