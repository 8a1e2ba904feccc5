import { expect, test } from 'vitest';
import { decodeSettings, encodeSettings, settings, SETTINGS_VAR } from './settings.ts';

test('runProbesStarted: carried through the run contract, false when an older v6e2e encoded it or vitest runs alone', () => {
  const s = settings({ runId: 'r1', runProbesStarted: true });
  expect(decodeSettings(encodeSettings(s)).runProbesStarted).toBe(true);
  const { runProbesStarted: _, ...older } = s;
  expect(decodeSettings({ [SETTINGS_VAR]: JSON.stringify(older) }).runProbesStarted).toBe(false);
  expect(decodeSettings({}).runProbesStarted).toBe(false);
  expect(() => decodeSettings({ [SETTINGS_VAR]: JSON.stringify({ ...s, runProbesStarted: 'yes' }) })).toThrow(/runProbesStarted must be true or false/);
});

test('families: the CLI’s detection carried to the workers, null when vitest runs alone or an older v6e2e encoded it', () => {
  const families = { primary: 'IPv6' as const, families: ['IPv6' as const, 'IPv4' as const], stack: 'dual-v6' as const, evidence: ['Service default/kubernetes: [IPv6, IPv4]'], warnings: [] };
  const s = settings({ runId: 'r1', families });
  expect(decodeSettings(encodeSettings(s)).families).toEqual(families);
  const { families: _, ...older } = s;
  expect(decodeSettings({ [SETTINGS_VAR]: JSON.stringify(older) }).families).toBeNull();
  expect(decodeSettings({}).families).toBeNull();
  const bad = (f: unknown) => () => decodeSettings({ [SETTINGS_VAR]: JSON.stringify({ ...s, families: f }) });
  expect(bad({ ...families, primary: 'IPv5' })).toThrow(/families must be/);
  expect(bad({ ...families, families: ['IPv4', 'IPv6'] })).toThrow(/families must be/);
  expect(bad({ ...families, stack: 'v6' })).toThrow(/families must be/);
  expect(bad({ ...families, stack: 'dual' })).toThrow(/families must be/);
  expect(bad('dual')).toThrow(/families must be/);
});
