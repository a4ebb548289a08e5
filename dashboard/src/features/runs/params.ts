import type { Command, CommandParam } from './queries';

export type ParamValues = Record<string, string>;

/** A parameter with neither a value nor a default is required unless it says otherwise (as the core reads it). */
export const isOptional = (p: CommandParam) => p.required === false || p.default !== undefined;

export function initialValues(cmd: Command | undefined): ParamValues {
  const out: ParamValues = {};
  for (const p of cmd?.params ?? []) out[p.name] = p.default ?? (p.type === 'boolean' ? 'false' : '');
  return out;
}

/** The core's own rule for one value (core/src/ssh/command.ts checkParam), to say what is wrong before sending. */
export function checkValue(p: CommandParam, raw: string): string | undefined {
  const value = raw === '' ? (p.default ?? '') : raw;
  if (value === '') return p.required === false ? undefined : 'Required.';
  if (value.length > 4096) return 'At most 4096 characters.';
  switch (p.type) {
    case 'integer':
      return /^-?\d{1,15}$/.test(value) ? undefined : 'A whole number, such as 42.';
    case 'boolean':
      return value === 'true' || value === 'false' ? undefined : 'true or false.';
    case 'enum':
      return p.values?.includes(value) ? undefined : `One of ${p.values?.join(', ')}.`;
    default:
      if (!p.pattern) return undefined;
      try {
        return new RegExp(`^(?:${p.pattern})$`, 'u').test(value) ? undefined : `Must match ${p.pattern}`;
      } catch {
        return undefined; // the core checked the pattern when the command was saved
      }
  }
}

export function checkAll(cmd: Command, values: ParamValues): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const p of cmd.params) {
    const problem = checkValue(p, values[p.name] ?? '');
    if (problem) problems[p.name] = problem;
  }
  return problems;
}

/** What is sent: empty optional values are left out, so the command's default applies. */
export function paramsToSend(cmd: Command, values: ParamValues): ParamValues {
  const out: ParamValues = {};
  for (const p of cmd.params) {
    const v = values[p.name] ?? '';
    if (v !== '') out[p.name] = v;
  }
  return out;
}
