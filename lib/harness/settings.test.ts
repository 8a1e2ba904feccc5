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
