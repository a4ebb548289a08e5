import { Input } from '../../ui/input';
import { Select } from '../../ui/select';
import { isOptional } from './params';
import type { CommandParam } from './queries';
import styles from './runs.module.css';

/** One typed parameter: text, a whole number, a yes/no switch or a choice of values. */
export function ParamField({
  param: p,
  value,
  error,
  onChange,
}: {
  param: CommandParam;
  value: string;
  error?: string;
  onChange: (v: string) => void;
}) {
  const label = `${p.name}${isOptional(p) ? ' (optional)' : ''}`;
  const testId = `param-${p.name}`;
  const hints = [
    p.description,
    p.type === 'string' && p.pattern ? `Must match ${p.pattern}` : '',
    p.default !== undefined && p.type !== 'boolean' ? `Default: ${p.default === '' ? '(empty)' : p.default}` : '',
  ].filter(Boolean);
  const hint = hints.length ? hints.join(' · ') : undefined;

  if (p.type === 'boolean') {
    return (
      <div className={styles.boolField}>
        <label className={styles.checkRow}>
          <input
            type="checkbox"
            checked={value === 'true'}
            onChange={(e) => onChange(e.target.checked ? 'true' : 'false')}
            data-testid={testId}
          />
          <span className={styles.mono}>{p.name}</span>
        </label>
        {p.description && <p className={styles.hint}>{p.description}</p>}
      </div>
    );
  }
  if (p.type === 'enum') {
    return (
      <div className={styles.field}>
        <Select
          label={label}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          data-testid={testId}
        >
          {(isOptional(p) || value === '') && <option value="">{isOptional(p) ? '(default)' : 'Choose…'}</option>}
          {(p.values ?? []).map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </Select>
        {error && (
          <p className={styles.error} role="alert">
            {error}
          </p>
        )}
        {hint && <p className={styles.hint}>{hint}</p>}
      </div>
    );
  }
  return (
    <Input
      label={label}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      inputMode={p.type === 'integer' ? 'numeric' : undefined}
      autoComplete="off"
      spellCheck={false}
      required={!isOptional(p)}
      placeholder={p.default}
      error={error}
      hint={hint}
      className={styles.monoInput}
      data-testid={testId}
    />
  );
}
