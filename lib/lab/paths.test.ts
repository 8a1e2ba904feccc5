import { describe, expect, test } from 'vitest';
import { labDirFor } from './paths.ts';

describe('lab cache location', () => {
  test("the user's cache directory: XDG_CACHE_HOME, else ~/.cache; V6E2E_LAB_DIR overrides", () => {
    expect(labDirFor({}, '/home/u')).toBe('/home/u/.cache/v6e2e');
    expect(labDirFor({ XDG_CACHE_HOME: '/var/cache/u' }, '/home/u')).toBe('/var/cache/u/v6e2e');
    // XDG says a relative value is to be ignored.
    expect(labDirFor({ XDG_CACHE_HOME: 'rel' }, '/home/u')).toBe('/home/u/.cache/v6e2e');
    expect(labDirFor({ V6E2E_LAB_DIR: '/srv/lab', XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/srv/lab');
  });
});
