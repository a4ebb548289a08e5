import type { Command, CommandParam } from './queries';

export type ParamType = CommandParam['type'];
export const paramTypes: ParamType[] = ['string', 'integer', 'boolean', 'enum'];

/** One parameter as the editor holds it: every field a string or flag, until it is saved. */
export interface ParamDraft {
  key: number;
  name: string;
  type: ParamType;
  required: boolean;
  default: string;
  pattern: string;
  /** Enum values, one per line or separated by commas. */
  values: string;
  description: string;
}

export interface CommandDraft {
  name: string;
  description: string;
  template: string;
  root: boolean;
  timeout: string;
  params: ParamDraft[];
}

let nextKey = 1;
export const blankParam = (): ParamDraft => ({
  key: nextKey++,
  name: '',
  type: 'string',
  required: true,
  default: '',
  pattern: '',
  values: '',
  description: '',
});

export const blankCommand = (): CommandDraft => ({
  name: '',
  description: '',
  template: '',
  root: false,
  timeout: '300',
  params: [],
});

export function draftOf(c: Command): CommandDraft {
  return {
    name: c.name,
    description: c.description,
    template: c.template,
    root: c.root,
    timeout: String(c.timeoutSeconds),
    params: c.params.map((p) => ({
      key: nextKey++,
      name: p.name,
      type: p.type,
      required: p.required !== false,
      default: p.default ?? '',
      pattern: p.pattern ?? '',
      values: (p.values ?? []).join('\n'),
      description: p.description ?? '',
    })),
  };
}

/** What commands.create/update take; the core checks the rest and says what is wrong. */
export function inputOf(d: CommandDraft) {
  return {
    name: d.name,
    description: d.description,
    template: d.template,
    root: d.root,
    timeoutSeconds: Number(d.timeout),
    params: d.params.map((p) => ({
      name: p.name.trim(),
      type: p.type,
      required: p.required,
      ...(p.default !== '' ? { default: p.default } : {}),
      ...(p.type === 'string' && p.pattern.trim() ? { pattern: p.pattern.trim() } : {}),
      ...(p.type === 'enum'
        ? {
            values: p.values
              .split(/[\n,]/)
              .map((v) => v.trim())
              .filter(Boolean),
          }
        : {}),
      ...(p.description.trim() ? { description: p.description.trim() } : {}),
    })),
  };
}
