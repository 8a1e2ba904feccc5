import { expect, test } from 'vitest';
import { decodeSettings, encodeSettings, settings, SETTINGS_VAR } from './settings.ts';

test('runPodsStarted: carried through the run contract, false when an older v6e2e encoded it or vitest runs alone', () => {
  const s = settings({ runId: 'r1', runPodsStarted: true });
  expect(decodeSettings(encodeSettings(s)).runPodsStarted).toBe(true);
  const { runPodsStarted: _, ...older } = s;
  expect(decodeSettings({ [SETTINGS_VAR]: JSON.stringify(older) }).runPodsStarted).toBe(false);
  expect(decodeSettings({}).runPodsStarted).toBe(false);
  expect(() => decodeSettings({ [SETTINGS_VAR]: JSON.stringify({ ...s, runPodsStarted: 'yes' }) })).toThrow(/runPodsStarted must be true or false/);
});
