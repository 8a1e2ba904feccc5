import { expect, test } from 'vitest';
import { describeRule, ruleArgs, xtables, type NodeRule } from './node-rules.ts';

const rule: NodeRule = { node: 'dev-worker', family: 'IPv6', table: 'raw', chain: 'PREROUTING', match: ['-s', 'fd00::a', '-d', 'fd00::b', '-p', 'udp', '--dport', '8081'], comment: 'v6e2e-fault-ns' };

test('insert and delete name the same rule, tagged with its comment', () => {
  const tail = ['-s', 'fd00::a', '-d', 'fd00::b', '-p', 'udp', '--dport', '8081', '-m', 'comment', '--comment', 'v6e2e-fault-ns', '-j', 'DROP'];
  expect(ruleArgs(rule, '-I')).toEqual(['-w', '5', '-t', 'raw', '-I', 'PREROUTING', ...tail]);
  expect(ruleArgs(rule, '-D')).toEqual(['-w', '5', '-t', 'raw', '-D', 'PREROUTING', ...tail]);
});

test('the tool follows the family', () => {
  expect(xtables('IPv4')).toBe('iptables');
  expect(xtables('IPv6')).toBe('ip6tables');
  expect(describeRule(rule)).toBe('ip6tables -t raw PREROUTING -s fd00::a -d fd00::b -p udp --dport 8081 -j DROP on dev-worker');
});
