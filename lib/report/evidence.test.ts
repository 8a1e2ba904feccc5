import { expect, test } from 'vitest';
import { capText, failureText, toYaml } from './evidence.ts';

test('capText cuts at a byte budget and says so', () => {
  expect(capText('short', 100)).toBe('short');
  const out = capText('é'.repeat(100), 51);
  expect(out).toMatch(/^é{25}\n… truncated: 200 bytes, showing the first 51\n$/);
});

test('toYaml: documents separated by ---, without managedFields or last-applied annotations', () => {
  const yaml = toYaml([
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', managedFields: [{ manager: 'x' }], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { clusterIPs: ['fd00::1', '10.0.0.1'] } },
  ]);
  expect(yaml).toBe(
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  annotations:\n    keep: me\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  clusterIPs:\n    - fd00::1\n    - 10.0.0.1\n',
  );
});

test('failureText: message, diff and the top of the stack, without colours', () => {
  const text = failureText([
    { name: 'AssertionError', message: 'expected 1 to be 2', diff: '\u001b[32m- Expected\u001b[39m', stack: 'AssertionError: x\n    at a (f.ts:1:1)\n    at b (f.ts:2:2)' },
  ]);
  expect(text).toBe('AssertionError: expected 1 to be 2\n- Expected\n    at a (f.ts:1:1)\n    at b (f.ts:2:2)');
  expect(failureText(undefined)).toBe('failed without an error message');
});
