import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../util/errors.ts';
import { assertGateMatches, globToRegExp, isGating, parseGate, readGate, unmatchedRules } from './gate.ts';

const IDS = [
  'address-families/services/ipv6-singlestack-service-gets-an-ipv6-clusterip',
  'address-families/services/ipv4-singlestack-service-gets-an-ipv4-clusterip',
  'address-families/nodes/dual-every-node-has-both-families',
  'connectivity/pods/ipv6-pod-to-pod-across-nodes',
  'connectivity/services/nested/deeper/ipv6-clusterip',
  'guestbook/guestbook-works',
];

const patterns = (text: string) => parseGate(text, 'g').rules.map((r) => r.pattern);

describe('gate file: plain text', () => {
  test('one id or glob per line; # comments, blank lines, CRLF and duplicates ignored', () => {
    const text = '# release gate\r\n\r\naddress-families/**   # every API-object check\r\nconnectivity/pods/*ipv6*\r\n  guestbook/guestbook-works\r\naddress-families/**\r\n';
    expect(patterns(text)).toEqual(['address-families/**', 'connectivity/pods/*ipv6*', 'guestbook/guestbook-works']);
    expect(parseGate(text, 'g').rules.map((r) => r.line)).toEqual([3, 4, 5]);
  });
  test('a # inside an id is not a comment unless preceded by whitespace', () => {
    expect(patterns('a/b#c\n')).toEqual(['a/b#c']);
  });
  test('whitespace inside a pattern is refused with its line', () => {
    expect(() => parseGate('ok/id\nconnectivity pods\n', 'g.txt')).toThrow('gate file g.txt:2: "connectivity pods" contains whitespace');
  });
  test('an empty gate is refused', () => {
    expect(() => parseGate('# nothing\n\n', 'g.txt')).toThrow(/lists no checks/);
    expect(() => parseGate('', 'g.txt')).toThrow(UsageError);
  });
  test('an unclosed brace is refused', () => {
    expect(() => parseGate('a/{b,c\n', 'g.txt')).toThrow('gate file g.txt:1: unclosed "{" in "a/{b,c"');
  });
});

describe('gate file: YAML', () => {
  test('a top-level list', () => {
    expect(patterns('# gate\n- address-families/**\n- "connectivity/pods/*ipv6*" # quoted\n')).toEqual(['address-families/**', 'connectivity/pods/*ipv6*']);
  });
  test('a mapping with gate: (or checks:)', () => {
    expect(patterns('gate:\n  - guestbook/*\n  - connectivity/**\n')).toEqual(['guestbook/*', 'connectivity/**']);
    expect(patterns('checks: [a/b, c/d]\n')).toEqual(['a/b', 'c/d']);
  });
  test('line numbers of list items', () => {
    expect(parseGate('gate:\n  # c\n  - a/b\n  - c/d\n', 'g').rules.map((r) => r.line)).toEqual([3, 4]);
  });
  test('unknown keys, non-string entries and broken YAML are refused', () => {
    expect(() => parseGate('gates:\n  - a\n', 'g.yaml')).toThrow('gate file g.yaml: unknown key "gates"');
    expect(() => parseGate('- a/b\n- 3\n', 'g.yaml')).toThrow('gate file g.yaml: entry 2 (3) is not a check id or glob');
    expect(() => parseGate('- {a: [\n', 'g.yaml')).toThrow(/g\.yaml is not valid YAML/);
    expect(() => parseGate('gate: a/b\n', 'g.yaml')).toThrow(/expected a list/);
  });
});

describe('globs over check ids', () => {
  const match = (glob: string) => IDS.filter((id) => globToRegExp(glob).test(id));
  test('an exact id matches itself only', () => {
    expect(match('guestbook/guestbook-works')).toEqual(['guestbook/guestbook-works']);
    expect(match('guestbook/guestbook')).toEqual([]);
  });
  test('* stays within a segment, ** crosses them', () => {
    expect(match('connectivity/*')).toEqual([]);
    expect(match('connectivity/**')).toEqual(['connectivity/pods/ipv6-pod-to-pod-across-nodes', 'connectivity/services/nested/deeper/ipv6-clusterip']);
    expect(match('**/ipv6-*')).toHaveLength(3);
    expect(match('connectivity/**/ipv6-clusterip')).toEqual(['connectivity/services/nested/deeper/ipv6-clusterip']);
  });
  test('? and {a,b}', () => {
    expect(match('address-families/services/ipv?-singlestack-*')).toHaveLength(2);
    expect(match('{guestbook,connectivity}/*/*')).toEqual(['connectivity/pods/ipv6-pod-to-pod-across-nodes']);
    expect(match('{guestbook/*,connectivity/pods/*}')).toEqual(['connectivity/pods/ipv6-pod-to-pod-across-nodes', 'guestbook/guestbook-works']);
  });
  test('regex characters are literal; case does not matter', () => {
    expect(globToRegExp('a.b').test('aXb')).toBe(false);
    expect(globToRegExp('a.b').test('a.b')).toBe(true);
    expect(globToRegExp('Guestbook/**').test('guestbook/guestbook-works')).toBe(true);
  });
});

describe('gating decisions', () => {
  const gate = parseGate('address-families/**\nconnectivity/pods/*\nnope/never\n', 'gate.txt');
  test('no gate: every check gates', () => {
    expect(IDS.every((id) => isGating(undefined, id))).toBe(true);
  });
  test('a gate: listed checks gate, others do not', () => {
    expect(IDS.filter((id) => isGating(gate, id))).toEqual(IDS.slice(0, 4));
  });
  test('patterns that match no known id are found and reported in one line', () => {
    expect(unmatchedRules(gate, IDS).map((r) => r.pattern)).toEqual(['nope/never']);
    expect(() => assertGateMatches(gate, IDS, 'the suites')).toThrow(
      'gate file gate.txt:3: "nope/never" matches no check id among 6 known from the suites; fix the gate file (v6e2e list-checks prints every id)',
    );
    expect(() => assertGateMatches(parseGate('a/b\n', 'g'), IDS.slice(0, 1), 'x')).toThrow(UsageError);
    expect(() => assertGateMatches(gate, [...IDS, 'nope/never'], 'x')).not.toThrow();
  });
});

test('readGate: unreadable file is a usage error naming --gate', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-gate-'));
  try {
    expect(() => readGate(path.join(dir, 'missing'))).toThrow(/cannot read --gate file .*missing \(ENOENT\)/);
    fs.writeFileSync(path.join(dir, 'g.txt'), 'guestbook/*\n');
    expect(readGate(path.join(dir, 'g.txt')).rules).toHaveLength(1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
