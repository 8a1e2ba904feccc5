import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { PooledKubeConfig } from './pooled.ts';

function twoContexts(): PooledKubeConfig {
  const kc = new PooledKubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'a', server: 'https://127.0.0.1:6443', skipTLSVerify: false },
      { name: 'b', server: 'https://127.0.0.1:7443', skipTLSVerify: false },
    ],
    users: [{ name: 'u', token: 't' }],
    contexts: [
      { name: 'ca', cluster: 'a', user: 'u' },
      { name: 'cb', cluster: 'b', user: 'u' },
    ],
    currentContext: 'ca',
  });
  return kc;
}

describe('PooledKubeConfig', () => {
  it('hands every request of one context the same keep-alive agent', async () => {
    const kc = twoContexts();
    const o1: https.RequestOptions = {};
    const o2: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(o1);
    await kc.applyToHTTPSOptions(o2);
    expect(o1.agent).toBeInstanceOf(https.Agent);
    expect(o1.agent).toBe(o2.agent);
    expect((o1.agent as https.Agent).options.keepAlive).toBe(true);
  });

  it('keeps contexts apart: another cluster gets another agent', async () => {
    const kc = twoContexts();
    const o1: https.RequestOptions = {};
    const o2: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(o1);
    kc.setCurrentContext('cb');
    await kc.applyToHTTPSOptions(o2);
    expect(o1.agent).not.toBe(o2.agent);
  });

  it('passes anything but an https agent through untouched', () => {
    const kc = twoContexts();
    const plain = { not: 'an agent' };
    expect(kc.pooled(plain)).toBe(plain);
  });
});
