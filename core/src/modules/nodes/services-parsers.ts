// Pure rules for systemd units: which names we accept, and how systemctl/journalctl output
// becomes typed rows. Output comes from a node and is untrusted: every line is checked,
// fields are bounded, control characters are removed, and whatever does not fit is skipped.

/** The unit types a name may end with (systemd.unit(5)). */
export const unitSuffixes = [
  'service',
  'socket',
  'target',
  'timer',
  'mount',
  'automount',
  'swap',
  'path',
  'slice',
  'scope',
  'device',
] as const;

// systemd's unit-name charset: ASCII letters, digits, ":", "-", "_", ".", "\" (escapes such as
// \x2d) and "@" (templates and instances); at most 255 characters. A leading "-" would read as
// an option, so it is refused even though systemd itself would not allow it either.
const unitName = new RegExp(`^(?!-)[A-Za-z0-9:_.\\\\@-]{1,255}\\.(?:${unitSuffixes.join('|')})$`);

/** A problem with a unit name the caller gave, or null when it is a valid unit name. */
export function unitNameProblem(name: string): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'Give a unit name.';
  if (name.length > 255) return 'A unit name has at most 255 characters.';
  if (name.startsWith('-')) return 'A unit name cannot start with "-".';
  if (!unitName.test(name))
    return `Not a systemd unit name: letters, digits and ":-_.\\@", ending in .${unitSuffixes.join(', .')}.`;
  if (name.startsWith('@') || name.startsWith('.')) return 'A unit name needs a name before its instance or suffix.';
  return null;
}

export const isUnitName = (name: string) => unitNameProblem(name) === null;

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const ansi = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** Printable text only (ANSI sequences and control characters removed), at most `max` characters. */
export function clean(text: string, max: number): string {
  const s = text.replace(ansi, '').replace(controls, '');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const word = /^[a-z][a-z-]{0,31}$/;

export interface UnitRow {
  unit: string;
  load: string;
  active: string;
  sub: string;
  description: string;
}

/**
 * `systemctl list-units --type=service --all --no-legend --no-pager --plain`:
 * `UNIT LOAD ACTIVE SUB DESCRIPTION…` per line. Older versions print a "●" before failed
 * units even with --plain; it is dropped.
 */
export function parseListUnits(text: string, maxRows = 10_000): UnitRow[] {
  const rows: UnitRow[] = [];
  const seen = new Set<string>();
  for (const raw of text.split('\n')) {
    if (rows.length >= maxRows) break;
    const line = raw.replace(/^\s*[●*]\s*/u, '').trim();
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (!m) continue;
    const [, unit = '', load = '', active = '', sub = '', description = ''] = m;
    if (!isUnitName(unit) || !word.test(load) || !word.test(active) || !word.test(sub) || seen.has(unit)) continue;
    seen.add(unit);
    rows.push({ unit, load, active, sub, description: clean(description, 256) });
  }
  return rows;
}

/** `systemctl list-unit-files --type=service --no-legend --no-pager`: `UNIT STATE [PRESET]` → unit → state. */
export function parseUnitFiles(text: string, maxRows = 10_000): Map<string, string> {
  const states = new Map<string, string>();
  for (const raw of text.split('\n')) {
    if (states.size >= maxRows) break;
    const m = /^(\S+)\s+(\S+)(?:\s+\S+)?\s*$/.exec(raw.trim());
    if (!m) continue;
    const [, unit = '', state = ''] = m;
    if (isUnitName(unit) && word.test(state) && !states.has(unit)) states.set(unit, state);
  }
  return states;
}

/** The properties `services.status` reads with `systemctl show -p …`. */
export const statusProperties = [
  'Id',
  'Description',
  'LoadState',
  'ActiveState',
  'SubState',
  'UnitFileState',
  'UnitFilePreset',
  'FragmentPath',
  'MainPID',
  'ExecMainStartTimestamp',
  'ActiveEnterTimestamp',
  'InactiveEnterTimestamp',
  'StateChangeTimestamp',
  'MemoryCurrent',
  'TasksCurrent',
  'CPUUsageNSec',
  'NRestarts',
  'Result',
  'Restart',
  'Type',
  'User',
  'CanReload',
  'CanStart',
  'CanStop',
] as const;
export type StatusProperty = (typeof statusProperties)[number];

/** `systemctl show`: `Key=value` lines; only the properties asked for, values bounded. */
export function parseShow(text: string): Partial<Record<StatusProperty, string>> {
  const wanted = new Set<string>(statusProperties);
  const out: Partial<Record<StatusProperty, string>> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!wanted.has(key) || key in out) continue;
    out[key as StatusProperty] = clean(line.slice(eq + 1), 1024);
  }
  return out;
}

/** A number systemd printed, or null for "[not set]", empty, or its "infinity" sentinel. */
export function numberOf(value: string | undefined): number | null {
  if (!value || !/^\d{1,20}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && value !== '18446744073709551615' ? n : null;
}

/**
 * Splits journal output into lines as it streams in: complete lines out, the unfinished
 * tail kept for the next chunk. A line longer than `maxLine` is cut (and its rest dropped).
 */
export function lineSplitter(maxLine = 2000) {
  let tail = '';
  let overlong = false;
  return {
    push(chunk: string): string[] {
      const parts = (tail + chunk).split('\n');
      tail = parts.pop() ?? '';
      const lines: string[] = [];
      for (const p of parts) {
        if (overlong) overlong = false;
        else lines.push(clean(p.replace(/\r$/, ''), maxLine));
      }
      if (tail.length > maxLine) {
        if (!overlong) lines.push(clean(tail, maxLine));
        overlong = true;
        tail = '';
      }
      return lines;
    },
    /** The unfinished last line, if any (when the stream ends). */
    flush(): string[] {
      const rest = tail && !overlong ? [clean(tail, maxLine)] : [];
      tail = '';
      overlong = false;
      return rest;
    },
  };
}
