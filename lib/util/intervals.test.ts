import { describe, expect, it } from 'vitest';
import { unionLength } from './intervals.ts';

describe('unionLength', () => {
  it('adds disjoint intervals', () => {
    expect(unionLength([[0, 2], [5, 6]])).toBe(3);
  });
  it('counts overlapping and nested intervals once', () => {
    expect(unionLength([[4, 10], [0, 5], [6, 7]])).toBe(10);
  });
  it('ignores empty and reversed intervals', () => {
    expect(unionLength([])).toBe(0);
    expect(unionLength([[3, 3], [5, 4]])).toBe(0);
  });
  it('joins touching intervals', () => {
    expect(unionLength([[0, 1], [1, 2]])).toBe(2);
  });
});
