import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { ValidationError } from '../../errors.js';

// Remote file paths as uploads and downloads accept them: pure checks, unit-tested.

const maxPathBytes = 4096;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const controlChars = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const controlCharsAll = /[\u0000-\u001f\u007f]/g;
const maxNameBytes = 255;
export const transferIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/** What is wrong with a remote file path, or null. Absolute, no `..`, no control characters. */
export function filePathProblem(path: string): string | null {
  if (typeof path !== 'string' || path === '') return 'path is required';
  if (Buffer.byteLength(path) > maxPathBytes) return `path is longer than ${maxPathBytes} bytes`;
  // NUL cannot reach a shell word; newlines and other controls make logs and names lie.
  if (controlChars.test(path)) return 'path contains a control character (NUL, newline, …)';
  if (!path.startsWith('/')) return 'path must be absolute (start with /)';
  const segments = path.split('/');
  if (segments.includes('..')) return 'path must not contain .. segments';
  if (path.endsWith('/')) return 'path must name a file, not end with /';
  for (const s of segments)
    if (Buffer.byteLength(s) > maxNameBytes) return `a path segment is longer than ${maxNameBytes} bytes`;
  return null;
}

/** The path in its one normal form (`//` and `/./` collapsed); throws ValidationError. */
export function normaliseFilePath(path: string): string {
  const problem = filePathProblem(path);
  if (problem) throw new ValidationError(problem, { field: 'path' });
  const normal = posix.normalize(path);
  if (normal === '/' || posix.basename(normal) === '.')
    throw new ValidationError('path must name a file', { field: 'path' });
  return normal;
}

/** `0644` or `644` → `0644`. No setuid, setgid or sticky bits through an upload. */
export function parseMode(mode: string | undefined): string {
  if (mode === undefined || mode === '') return '0644';
  if (!/^0?[0-7]{3}$/.test(mode))
    throw new ValidationError('mode must be three octal digits such as 0644 (no setuid, setgid or sticky bits)', {
      field: 'mode',
    });
  return mode.padStart(4, '0');
}

/** The temp file beside the target (same filesystem, so the rename is atomic). */
export function tempPathFor(path: string): string {
  const dir = posix.dirname(path);
  let name = posix.basename(path);
  // `.<name>.sbx-<32 hex>.tmp` must stay within NAME_MAX: shorten long names.
  while (Buffer.byteLength(name) > 200) name = name.slice(0, -1);
  return posix.join(dir, `.${name}.sbx-${randomBytes(16).toString('hex')}.tmp`);
}

/** Control characters made visible, for messages and audit rows (PostgreSQL refuses NUL in JSON). */
export const printable = (s: string) =>
  s.slice(0, 4200).replace(controlCharsAll, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
