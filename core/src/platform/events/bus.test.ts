import { describe, expect, it } from 'vitest';
import { compareIds } from './bus.js';

describe('compareIds', () => {
  it('orders Redis stream ids numerically, not as text', () => {
    expect(compareIds('10-0', '9-0')).toBe(1);
    expect(compareIds('5-10', '5-9')).toBe(1);
    expect(compareIds('5-1', '5-1')).toBe(0);
    expect(compareIds('1700000000000-0', '1700000000001-0')).toBe(-1);
  });
});
