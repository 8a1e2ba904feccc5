import { describe, expect, test } from 'vitest';
import { failureLines } from './test-command.ts';

describe('failureLines: what a CI log cut to its tail still says', () => {
  test('nothing failed: no lines', () => {
    expect(failureLines([])).toEqual([]);
  });

  test('a line per failure with its message on one line, under a count', () => {
    const lines = failureLines([
      { name: 'dual: connectivity/pods/ipv4-cross-node', message: 'pod a → b [IPv4]: expected 200, saw timeout\n\n  more detail' },
      { name: 'interrupt: acceptance/interrupt.test.ts', message: '' },
    ]);
    expect(lines).toEqual([
      'failed checks (2):',
      '  ✘ dual: connectivity/pods/ipv4-cross-node — pod a → b [IPv4]: expected 200, saw timeout ⏎ more detail',
      '  ✘ interrupt: acceptance/interrupt.test.ts',
    ]);
  });

  test('a long message is cut to the width and says so', () => {
    const [, line] = failureLines([{ name: 'x', message: 'y'.repeat(500) }], 60);
    expect(line).toHaveLength(60);
    expect(line!.endsWith('…')).toBe(true);
  });
});
