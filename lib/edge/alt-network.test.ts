import { expect, test } from 'vitest';
import { attachedAddresses } from './alt-network.ts';

test('alternate addresses: by node name, prefix lengths dropped, a family the network lacks absent', () => {
  const m = attachedAddresses({
    a1: { Name: 'v6e2e-dual-control-plane', IPv4Address: '198.18.17.2/24', IPv6Address: 'fd00:a17:11::2/64' },
    b2: { Name: 'v6e2e-dual-worker', IPv4Address: '', IPv6Address: 'fd00:a17:11::3/64' },
  });
  expect(m.get('v6e2e-dual-control-plane')).toEqual({ IPv4: '198.18.17.2', IPv6: 'fd00:a17:11::2' });
  expect(m.get('v6e2e-dual-worker')).toEqual({ IPv4: undefined, IPv6: 'fd00:a17:11::3' });
  expect(attachedAddresses(null).size).toBe(0);
});
