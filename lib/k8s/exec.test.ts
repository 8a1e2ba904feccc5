import { describe, expect, it, test } from 'vitest';
import { defaultContainerOf, exitCodeFromStatus } from './exec.ts';

describe('defaultContainerOf', () => {
  const containers = [{ name: 'agnhost' }, { name: 'sidecar' }];
  it('takes the default-container annotation, else the first container', () => {
    expect(defaultContainerOf({ spec: { containers } })).toBe('agnhost');
    expect(defaultContainerOf({ metadata: { annotations: { 'kubectl.kubernetes.io/default-container': 'sidecar' } }, spec: { containers } })).toBe('sidecar');
  });
  it('is undefined for a pod with no containers (the exec then says so)', () => {
    expect(defaultContainerOf({ spec: { containers: [] } })).toBeUndefined();
    expect(defaultContainerOf({})).toBeUndefined();
  });
});

test('exitCodeFromStatus reads the status channel', () => {
  expect(exitCodeFromStatus({ status: 'Success', metadata: {} })).toBe(0);
  expect(
    exitCodeFromStatus({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      message: 'command terminated with non-zero exit code: error executing command [sh -c exit 7], exit code 7',
      details: { causes: [{ reason: 'ExitCode', message: '7' }] },
    }),
  ).toBe(7);
  expect(exitCodeFromStatus({ status: 'Failure', reason: 'InternalError', message: 'container not found ("x")' })).toBeUndefined();
});
