import { expect, test } from 'vitest';
import { dropArgs, faultTag, type NodeDrop } from './node-rules.ts';

const drop: NodeDrop = { node: 'dev-worker', family: 'IPv6', match: ['-s', 'fd00::a', '-d', 'fd00::b', '-p', 'udp', '--dport', '8081'], tag: faultTag('ns') };
const tail = ['-s', 'fd00::a', '-d', 'fd00::b', '-p', 'udp', '--dport', '8081', '-m', 'comment', '--comment', 'v6e2e-fault-ns', '-j', 'DROP'];

test('before DNAT: raw PREROUTING; insert and delete name the same rule, tagged', () => {
  expect(dropArgs(drop, '-I')).toEqual(['-t', 'raw', '-I', 'PREROUTING', ...tail]);
  expect(dropArgs(drop, '-D')).toEqual(['-t', 'raw', '-D', 'PREROUTING', ...tail]);
});

test('after DNAT: mangle FORWARD (sees the chosen pod, also from its own node)', () => {
  expect(dropArgs({ ...drop, afterDnat: true }, '-I')).toEqual(['-t', 'mangle', '-I', 'FORWARD', ...tail]);
});

test("the node's own packets (a hostNetwork client's): raw OUTPUT", () => {
  expect(dropArgs({ ...drop, outgoing: true }, '-D')).toEqual(['-t', 'raw', '-D', 'OUTPUT', ...tail]);
});
