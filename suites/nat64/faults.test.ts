/**
 * NAT64 fault tests on the lab edge: the translator container stopped, and the node
 * route to Pref64::/n removed on one worker. Each runs the very checks of the suite,
 * requires the failures to name pod, node, target and family (and the unaffected
 * checks to keep passing), and restores the edge in `finally`, then waits until NAT64
 * works again from every pod.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkPref64Discovery, checkSynthesis } from '../../lib/checks/dns64.ts';
import { checkNat64Http, checkNat64Udp, type Client } from '../../lib/checks/nat64.ts';
import { restartTranslator, routeEdge, type EdgeInfo } from '../../lib/edge/index.ts';
import { harness, type Harness } from '../../lib/harness/context.ts';
import { waitFor } from '../../lib/k8s/wait.ts';
import { embedIPv4 } from '../../lib/net/rfc6052.ts';
import { resolverAddresses, resolverFor, skipWithoutFamily } from '../dns64/common.ts';
import { labEdge, nat64Setup, prefixOrSkip, synthesizedUrl, type Nat64Setup } from './common.ts';

let h: Harness;
let s: Nat64Setup;

beforeAll(async () => {
  h = await harness();
  s = await nat64Setup(h, 'nat64-faults');
}, 300_000);

afterAll(async () => {
  await s?.ns.cleanup();
});

const nodeOf = (c: Client) => c.pod.spec!.nodeName!;
const podOf = (c: Client) => `pod ${c.pod.metadata!.namespace}/${c.pod.metadata!.name} on ${nodeOf(c)}`;

/** After a restore: NAT64 by the literal works again from every client pod. */
async function waitNat64Back(edge: EdgeInfo, pref64: string): Promise<void> {
  const url = synthesizedUrl(edge, pref64);
  await waitFor(
    `NAT64 ${url} back from every pod`,
    async () => (await Promise.all(s.clients.map((c) => checkNat64Http(c, url, { pref64, translatorV4: edge.translator.ipv4Leg, attempts: 1, timeoutS: 2 })))).every((v) => v.ok),
    { timeoutMs: 60_000, intervalMs: 1_000 },
  );
}

describe('nat64 faults', () => {
  test('fault: [IPv6] translator stopped: NAT64 checks fail naming pod, target and family; DNS64 checks still pass', async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    let edge = labEdge(ctx, h);
    const pref64 = prefixOrSkip(ctx, s);
    const url = synthesizedUrl(edge, pref64);
    const udpIp = embedIPv4(pref64, edge.origin.ipv4);
    const v6 = (await resolverAddresses(h)).IPv6;
    await execa('docker', ['stop', '-t', '2', edge.translator.container]);
    try {
      for (const c of s.clients) {
        const v = await checkNat64Http(c, url, { pref64, translatorV4: edge.translator.ipv4Leg, attempts: 1, timeoutS: 2 });
        await ctx.annotate(v.message, 'fault message');
        expect(v.ok).toBe(false);
        expect(v.message).toContain(`${podOf(c)} → ${url} [IPv6]`);
        expect(v.message).toMatch(/saw (timeout|no route to host|network unreachable|connection refused) \(curl exit/);
        const u = await checkNat64Udp(c, udpIp, edge.origin.udpPort, { translatorV4: edge.translator.ipv4Leg, attempts: 1 });
        await ctx.annotate(u.message, 'fault message');
        expect(u.ok).toBe(false);
        expect(u.message).toContain(`${podOf(c)} → udp://[${udpIp}]:${edge.origin.udpPort} clientip [IPv6]`);
        expect(u.message).toContain('saw no reply within the timeout');
      }
      // DNS64 is not the translator: discovery and synthesis are unaffected.
      if (v6) {
        const r = resolverFor(h, s.clients[0]!.pod, v6);
        const d = await checkPref64Discovery(r);
        expect(d.verdict.message).toContain(`→ Pref64 ${pref64}`);
        expect(d.verdict.ok).toBe(true);
        const syn = await checkSynthesis(r, edge.zone.v4only, pref64);
        await ctx.annotate(syn.message, 'still passing');
        expect(syn.ok).toBe(true);
      }
    } finally {
      edge = await restartTranslator(edge);
      h.edge = edge;
      await waitNat64Back(edge, pref64);
    }
  });

  test('fault: [IPv6] route to Pref64 removed on one node: only the pod on that node fails, naming the node', async (ctx) => {
    skipWithoutFamily(ctx, h, 'IPv6');
    const edge = labEdge(ctx, h);
    const pref64 = prefixOrSkip(ctx, s);
    if (s.clients.length < 2) ctx.skip(`one worker only: "only that node fails" needs two`);
    const broken = nodeOf(s.clients[0]!);
    const url = synthesizedUrl(edge, pref64);
    await execa('docker', ['exec', broken, 'ip', '-6', 'route', 'del', pref64]);
    try {
      for (const c of s.clients) {
        const v = await checkNat64Http(c, url, { pref64, translatorV4: edge.translator.ipv4Leg, attempts: nodeOf(c) === broken ? 1 : 2, timeoutS: 2 });
        await ctx.annotate(v.message, nodeOf(c) === broken ? 'fault message' : 'other node');
        if (nodeOf(c) === broken) {
          expect(v.ok).toBe(false);
          expect(v.message).toContain(`${podOf(c)} → ${url} [IPv6]`);
          expect(v.message).toContain(`on ${broken} →`);
        } else {
          expect(v.message).toContain('saw HTTP 200');
          expect(v.ok).toBe(true);
        }
      }
    } finally {
      await routeEdge(broken, edge.pref64, edge.v4Subnet, edge.translator.kind);
      await waitNat64Back(edge, pref64);
    }
  });
});
