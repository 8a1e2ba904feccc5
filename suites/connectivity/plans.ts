/**
 * The connectivity suite's own pods, declared for the run's start (lib/probes/plans.ts): the
 * e2e globalSetup creates them beside the probe fleet, the files wait for them. The pod
 * peers and clients are the run's probe fleet.
 */
import type { PlanCluster, PodPlan } from '../../lib/probes/plans.ts';
import { NETEXEC_HTTP_PORT, nodePairs } from '../../lib/probes/pods.ts';
import { MAX_NODE_PAIRS, ROLE_LABEL } from './common.ts';

export const BLOB_PORT = 8090;
export const BLOB_PATH = '/tmp/v6e2e-blob';
/** Well above a 64 KiB TCP window and many MTUs: a broken PMTUD or offload stalls here. */
export const BLOB_BYTES = 128 * 1024;

/** pods.test.ts: the bulk transfer's server, on the second node of the first pair (its client is the fleet's pod on the first). */
export const BLOB_PODS: PodPlan = {
  label: 'connectivity',
  suite: 'connectivity',
  selfTestOnly: false,
  pods: ({ workers }) => [{
    name: 'blob',
    node: nodePairs(workers, MAX_NODE_PAIRS)[0]!.to,
    command: ['sh', '-c', `head -c ${BLOB_BYTES} /dev/urandom > ${BLOB_PATH} && exec /agnhost test-webserver --port ${BLOB_PORT}`],
    startupProbe: { httpGet: { path: BLOB_PATH, port: BLOB_PORT } },
  }],
};

export const SERVER = { [ROLE_LABEL]: 'server' };
export const NEAR = { [ROLE_LABEL]: 'near' };
export const ITP_LABEL = 'v6e2e.io/itp';
export const ITP = { [ITP_LABEL]: 'member' };

/**
 * Where services.test.ts puts its pods: the client (the fleet's pod) on the first sampled
 * node, the two backends on the other sampled nodes (cross-node paths), and `far` on a node
 * holding neither (the control plane on a two-worker lab): ITP's "no local endpoint" side.
 */
export function servicesLayout({ workers, nodes }: Pick<PlanCluster, 'workers' | 'nodes'>): { clientNode: string; server0Node: string; server1Node: string; farNode?: string } {
  const pairs = nodePairs(workers, MAX_NODE_PAIRS);
  const clientNode = pairs[0]!.from;
  const server0Node = pairs[0]!.to;
  const second = pairs[1]?.to ?? server0Node;
  const server1Node = second === clientNode ? server0Node : second;
  const farNode = nodes.find((n) => n !== clientNode && n !== server0Node && n !== server1Node);
  return { clientNode, server0Node, server1Node, ...(farNode ? { farNode } : {}) };
}

/** services.test.ts: two backends, one beside the client (alone behind `echo-near`), `far` where a third node exists; ITP members are `near` and server-0. */
export const SERVICES_PODS: PodPlan = {
  label: 'connectivity-services',
  suite: 'connectivity',
  selfTestOnly: false,
  pods: (c) => {
    const at = servicesLayout(c);
    return [
      { name: 'server-0', node: at.server0Node, labels: { ...SERVER, ...ITP } },
      { name: 'server-1', node: at.server1Node, labels: SERVER },
      { name: 'near', node: at.clientNode, labels: { ...NEAR, ...ITP } },
      ...(at.farNode ? [{ name: 'far', node: at.farNode, labels: { [ROLE_LABEL]: 'far' } }] : []),
    ];
  },
};

export const PAIR = { 'v6e2e.io/group': 'pair' };

/**
 * An HTTP server that can only listen on IPv4: socat TCP4-LISTEN answering the pod's
 * hostname (netexec always listens on both families). It reads the request before
 * answering, so curl does not see a reset.
 */
export const V4_ONLY_SERVER = [
  'sh',
  '-c',
  [
    "cat > /tmp/reply.sh <<'EOF'",
    'while IFS= read -r l; do l=$(printf %s "$l" | tr -d "\\r"); [ -z "$l" ] && break; done',
    'h=$(hostname)',
    'printf "HTTP/1.0 200 OK\\r\\nContent-Length: %s\\r\\n\\r\\n%s" "${#h}" "$h"',
    'EOF',
    `exec socat TCP4-LISTEN:${NETEXEC_HTTP_PORT},fork,reuseaddr SYSTEM:"sh /tmp/reply.sh"`,
  ].join('\n'),
];

/**
 * faults.test.ts: its own client and servers (its drops match their IPs): the client on the
 * first node of the first pair, the IPv4-only server and `echo` on the second, `twin` beside
 * the client, and `far` on a node holding neither, when there is one.
 */
export const CONNECTIVITY_FAULTS_PODS: PodPlan = {
  label: 'connectivity-faults',
  suite: 'connectivity',
  selfTestOnly: true,
  pods: ({ workers, nodes }) => {
    const [pair] = nodePairs(workers, MAX_NODE_PAIRS);
    const farNode = nodes.find((n) => n !== pair!.from && n !== pair!.to);
    return [
      // The faults drop packets to servers (their IPs), never the client's or far's: they may take the shell (lib/k8s/pod-shell.ts).
      { name: 'client', node: pair!.from, shell: true },
      {
        name: 'v4only',
        node: pair!.to,
        command: V4_ONLY_SERVER,
        // kubelet would probe the primary PodIP, which on an IPv6 cluster this server never answers.
        startupProbe: { exec: { command: ['nc', '-z', '127.0.0.1', String(NETEXEC_HTTP_PORT)] } },
      },
      { name: 'echo', node: pair!.to, labels: PAIR },
      { name: 'twin', node: pair!.from, labels: { ...PAIR, 'v6e2e.io/role': 'twin' } },
      ...(farNode ? [{ name: 'far', node: farNode, shell: true }] : []),
    ];
  },
};
