import { quote as shellQuote } from 'shell-quote';

// Remote commands are data. This file is the ONLY place that turns values into shell text:
// every argument goes through `quote`, operands follow `--`, and compound commands are
// built from other RemoteCommands, never from strings. Everything else in the codebase
// asks for a RemoteCommand and passes it to the pool.

export class CommandError extends Error {
  override name = 'CommandError';
}

declare const brand: unique symbol;

/** Shell text that came out of this builder (and nowhere else). */
export interface RemoteCommand {
  readonly [brand]: true;
  readonly text: string;
}

const made = (text: string) => Object.freeze({ text }) as RemoteCommand;

/** The one quoting function: a value becomes exactly one literal shell word. */
export function quote(value: string | number): string {
  const s = String(value);
  if (s.includes('\0')) throw new CommandError('a command argument cannot contain a NUL byte');
  return shellQuote([s]);
}

/** Programs the core runs on nodes. A new program is a reviewed change to this list. */
export type Program =
  | 'true'
  | 'cat'
  | 'dd'
  | 'mv'
  | 'rm'
  | 'mkdir'
  | 'chmod'
  | 'stat'
  | 'sh'
  | 'sudo'
  | 'systemctl'
  | 'journalctl'
  | 'sleep'
  | 'id'
  | 'test';

/** Values after `--`: never read as options, whatever they start with. */
export interface Operands {
  readonly operands: readonly (string | number)[];
}
export const operands = (...values: (string | number)[]): Operands => ({ operands: values });

type Arg = string | number | Operands;

/** `program args… [-- operands…]`, each word quoted. */
export function run(program: Program, ...args: Arg[]): RemoteCommand {
  const words: string[] = [program];
  for (const a of args) {
    if (typeof a === 'object') words.push('--', ...a.operands.map(quote));
    else words.push(quote(a));
  }
  return made(words.join(' '));
}

/** `a && b && …` */
export function allOf(...commands: RemoteCommand[]): RemoteCommand {
  return made(commands.map((c) => c.text).join(' && '));
}

/** `a | b` (the pipeline's status is the last command's). */
export function pipe(...commands: RemoteCommand[]): RemoteCommand {
  return made(commands.map((c) => c.text).join(' | '));
}

/** `command > path` or `command 2>/dev/null`-style redirections to a quoted path. */
export function redirect(command: RemoteCommand, op: '>' | '>>' | '<' | '2>', path: string): RemoteCommand {
  return made(`${command.text} ${op} ${quote(path)}`);
}

/**
 * A fixed script from this codebase run by `sh -c`, with values as positional parameters
 * ($1, $2, …). The script is a template literal without substitutions: the type system and
 * the check below refuse `${}` so no value can ever become script text.
 */
export function script(
  strings: TemplateStringsArray,
  ...none: never[]
): (...params: (string | number)[]) => RemoteCommand {
  if (none.length > 0 || strings.length !== 1)
    throw new CommandError('scripts take values as parameters, not substitutions');
  const body = strings[0] as string;
  return (...params) => made(['sh', '-c', quote(body), 'sh', ...params.map(quote)].join(' '));
}

/** The same command with root rights: unchanged for root, through `sudo -n` (never a prompt) otherwise. */
export function asRoot(command: RemoteCommand, username: string): RemoteCommand {
  if (username === 'root') return command;
  return made(`sudo -n -- sh -c ${quote(command.text)}`);
}

/**
 * Runs `command` so that it stops when the channel closes: the caller's end of stdin
 * closing (cancel, timeout, a viewer leaving) kills it. For followers such as
 * `journalctl -f` that would otherwise outlive their channel without a PTY.
 */
export function killedOnHangup(command: RemoteCommand): RemoteCommand {
  return hangupScript(command.text);
}
// stdin is kept on fd 3 for the watcher (an asynchronous list would get /dev/null); the
// watcher's output goes nowhere so it cannot hold the channel open after the command ends.
// `k` stops a process and everything below it (a compound command forks).
const hangupScript = script`k() { for c in $(pgrep -P "$1" 2>/dev/null); do k "$c"; done; kill "$1" 2>/dev/null; }
exec 3<&0
sh -c "$1" </dev/null 3<&- & p=$!
{ cat <&3 >/dev/null 2>&1; k $p; } >/dev/null 2>&1 & w=$!
exec 3<&-
wait $p; s=$?
k $w
exit $s`;

// ---------- named command templates (fleet runs) ----------

export type ParamType = 'string' | 'integer' | 'boolean' | 'enum';
export interface ParamSpec {
  name: string;
  type: ParamType;
  /** For `string`: a regular expression the whole value must match. */
  pattern?: string;
  /** For `enum`: the allowed values. */
  values?: string[];
  required?: boolean;
  default?: string;
}

const placeholder = /\{([a-z][a-z0-9_]{0,31})\}/g;

/**
 * Checks a template written by an admin: placeholders are whole words outside quotes, and
 * each names a declared parameter. Literal text is the admin's own shell (admins hold the
 * ad-hoc shell permission); values filled in later by operators are always quoted.
 */
export function checkTemplate(template: string, params: readonly ParamSpec[]): string[] {
  const problems: string[] = [];
  if (template.includes('\0')) problems.push('the template contains a NUL byte');
  const declared = new Set(params.map((p) => p.name));
  const used = new Set<string>();
  let state: 'none' | "'" | '"' = 'none';
  let last = 0;
  for (const m of template.matchAll(placeholder)) {
    state = quoteState(template.slice(last, m.index), state);
    const before = template[m.index - 1];
    const after = template[m.index + m[0].length];
    if (state !== 'none') problems.push(`{${m[1]}} is inside quotes; placeholders are quoted for you`);
    if ((before !== undefined && !/\s/.test(before)) || (after !== undefined && !/[\s;|&)]/.test(after)))
      problems.push(`{${m[1]}} must be a whole word`);
    if (!declared.has(m[1] as string)) problems.push(`{${m[1]}} is not a declared parameter`);
    used.add(m[1] as string);
    last = m.index + m[0].length;
  }
  if (quoteState(template.slice(last), state) !== 'none') problems.push('the template has an unclosed quote');
  for (const p of params) if (!used.has(p.name)) problems.push(`parameter ${p.name} is not used in the template`);
  return problems;
}

function quoteState(text: string, start: 'none' | "'" | '"'): 'none' | "'" | '"' {
  let state = start;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (state === 'none') {
      if (ch === '\\') i++;
      else if (ch === "'" || ch === '"') state = ch;
    } else if (state === '"' && ch === '\\') i++;
    else if (ch === state) state = 'none';
  }
  return state;
}

/** Validates one value against its parameter; returns the value to quote or a problem. */
export function checkParam(spec: ParamSpec, raw: string | undefined): { value?: string; problem?: string } {
  const value = raw ?? spec.default;
  if (value === undefined || value === '') {
    return spec.required === false ? { value: '' } : { problem: `${spec.name} is required` };
  }
  if (value.length > 4096) return { problem: `${spec.name} is longer than 4096 characters` };
  if (value.includes('\0')) return { problem: `${spec.name} contains a NUL byte` };
  switch (spec.type) {
    case 'integer':
      return /^-?\d{1,15}$/.test(value) ? { value } : { problem: `${spec.name} must be an integer` };
    case 'boolean':
      return value === 'true' || value === 'false' ? { value } : { problem: `${spec.name} must be true or false` };
    case 'enum':
      return spec.values?.includes(value)
        ? { value }
        : { problem: `${spec.name} must be one of ${spec.values?.join(', ')}` };
    default:
      if (spec.pattern && !new RegExp(`^(?:${spec.pattern})$`, 'u').test(value))
        return { problem: `${spec.name} does not match ${spec.pattern}` };
      return { value };
  }
}

/** Fills a checked template: each placeholder becomes one quoted word. */
export function renderTemplate(
  template: string,
  params: readonly ParamSpec[],
  values: Record<string, string | undefined>,
): RemoteCommand {
  const problems = checkTemplate(template, params);
  const filled: Record<string, string> = {};
  for (const p of params) {
    const r = checkParam(p, values[p.name]);
    if (r.problem) problems.push(r.problem);
    else filled[p.name] = r.value as string;
  }
  for (const k of Object.keys(values)) if (!params.some((p) => p.name === k)) problems.push(`unknown parameter ${k}`);
  if (problems.length > 0) throw new CommandError(problems.join('; '));
  return made(template.replace(placeholder, (_, name: string) => quote(filled[name] as string)));
}

/** Ad-hoc shell typed by an admin holding `nodes:shell`: their text, run as it is. */
export function adminShell(text: string): RemoteCommand {
  if (text.includes('\0')) throw new CommandError('a command cannot contain a NUL byte');
  if (text.trim() === '') throw new CommandError('the command is empty');
  return made(text);
}
