import { describe, expect, it } from 'vitest';
import { isInfrastructureError, UnavailableError, ValidationError } from './errors.js';

describe('isInfrastructureError', () => {
  it('recognises connection failures of postgres-js and ioredis, also when wrapped', () => {
    expect(isInfrastructureError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isInfrastructureError(Object.assign(new Error('x'), { code: 'CONNECTION_CLOSED' }))).toBe(true);
    expect(isInfrastructureError(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(
      true,
    );
    expect(
      isInfrastructureError(new Error('query failed', { cause: Object.assign(new Error(), { code: 'ETIMEDOUT' }) })),
    ).toBe(true);
    expect(isInfrastructureError(new UnavailableError('down'))).toBe(true);
  });
  it('does not mistake ordinary errors', () => {
    expect(isInfrastructureError(new ValidationError('bad'))).toBe(false);
    expect(isInfrastructureError(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
    expect(isInfrastructureError(null)).toBe(false);
  });
});
