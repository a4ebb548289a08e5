import { describe, expect, it } from 'vitest';
import { filePathProblem, normaliseFilePath, parseMode, printable, tempPathFor } from './file-paths.js';

describe('file paths', () => {
  it('accepts absolute paths and normalises them', () => {
    expect(filePathProblem('/etc/app.conf')).toBeNull();
    expect(normaliseFilePath('/srv//app/./x.txt')).toBe('/srv/app/x.txt');
    expect(normaliseFilePath('/tmp/$(touch x)')).toBe('/tmp/$(touch x)');
  });
  it('refuses relative, dot-dot, control characters, directories and overlong names', () => {
    expect(filePathProblem('etc/x')).toMatch(/absolute/);
    expect(filePathProblem('/a/../etc/shadow')).toMatch(/\.\./);
    expect(filePathProblem('/tmp/a\nb')).toMatch(/control/);
    expect(filePathProblem('/tmp/a\0b')).toMatch(/control/);
    expect(filePathProblem('/tmp/')).toMatch(/name a file/);
    expect(filePathProblem(`/tmp/${'x'.repeat(300)}`)).toMatch(/segment/);
    expect(() => normaliseFilePath('/.')).toThrow(/name a file/);
  });
  it('takes plain permission modes only', () => {
    expect(parseMode(undefined)).toBe('0644');
    expect(parseMode('600')).toBe('0600');
    expect(() => parseMode('4755')).toThrow(/setuid/);
    expect(() => parseMode('rw')).toThrow();
  });
  it('puts the temp file beside the target with a short enough name', () => {
    const t = tempPathFor(`/srv/${'n'.repeat(250)}`);
    expect(t.startsWith('/srv/.')).toBe(true);
    expect(Buffer.byteLength(t.slice(5))).toBeLessThanOrEqual(255);
    expect(printable('a\nb')).toBe('a\\x0ab');
  });
});
