import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy.js';

describe('passwordProblem', () => {
  it('accepts a long passphrase', () => {
    expect(passwordProblem('correct horse battery staple')).toBeNull();
  });
  it('refuses short, huge, monotonous and personal passwords', () => {
    expect(passwordProblem('Sh0rt!')).toMatch(/at least 12/);
    expect(passwordProblem('x'.repeat(257))).toMatch(/at most 256/);
    expect(passwordProblem('abababababababab')).toMatch(/variety/);
    expect(passwordProblem('grace-hopper-2026', { email: 'grace@example.com' })).toMatch(/name or email/);
    expect(passwordProblem('i am Hopper, truly', { name: 'Grace Hopper' })).toMatch(/name or email/);
  });
  it('ignores very short name parts', () => {
    expect(passwordProblem('bob likes long passwords', { name: 'Bo B' })).toBeNull();
  });
});
