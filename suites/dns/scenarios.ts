/**
 * The dns scenarios: probe (dig from a pod, its /etc/hosts), judgement
 * (lib/checks/dns-records.ts, connectivity.ts' dnsAnswersVerdict) and retry policy, called
 * by the suite's checks and by the fault tests.
 */
import type { KubeConfig, V1Pod, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { dnsAnswersVerdict, recordType, serviceIPsOf, serviceName } from '../../lib/checks/connectivity.ts';
import { hostsFileVerdict, parseHostsFile, parseSrv, podRecordName, srvVerdict } from '../../lib/checks/dns-records.ts';
import { all, retryVerdict, verdict, type Verdict } from '../../lib/checks/verdict.ts';
import type { IPFamily } from '../../lib/net/family.ts';
import { answersOf, dig } from '../../lib/probes/dns.ts';
import { runSingleProbe } from '../../lib/probes/exec.ts';
import { podIPs, podLabel } from '../../lib/probes/pods.ts';
import { ipOr } from './common.ts';

/** CoreDNS learns Services and EndpointSlices through a watch, a second or so behind the API. */
const DNS_ATTEMPTS = 6;

function at(pod: V1Pod): { ns: string; name: string } {
  return { ns: pod.metadata!.namespace!, name: pod.metadata!.name! };
}

function fqdnOf(svc: V1Service, domain: string): string {
  return `${svc.metadata!.name!}.${svc.metadata!.namespace!}.svc.${domain}`;
}

function combine(parts: readonly Verdict[], object: string, family: IPFamily): Verdict {
  return { ...all([...parts], object, family), attempts: Math.max(1, ...parts.map((p) => p.attempts ?? 1)) };
}

/**
 * `_<port>._<proto>.<svc>.<ns>.svc.<domain>` SRV names the Service's own name and the
 * port's number; that target's A/AAAA answers are the Service's ClusterIPs of the family.
 */
export async function srvRecord(kc: KubeConfig, client: V1Pod, svc: V1Service, port: V1ServicePort, domain: string, family: IPFamily): Promise<Verdict> {
  const { ns, name } = at(client);
  const fqdn = fqdnOf(svc, domain);
  const srvName = `_${port.name}._${(port.protocol ?? 'TCP').toLowerCase()}.${fqdn}`;
  const object = `Service ${serviceName(svc)} SRV ${srvName}`;
  return retryVerdict(async () => {
    const srv = await dig(kc, ns, name, srvName, 'SRV');
    const first = answersOf(srv, 'SRV').map(parseSrv)[0];
    const target = first ? await dig(kc, ns, name, first.target, recordType(family)) : undefined;
    return srvVerdict({ object, family, srvName, expectTarget: fqdn, expectPort: port.port, expectIps: serviceIPsOf(svc, family), srv, target });
  }, { attempts: DNS_ATTEMPTS });
}

/** The pod's dashed-address name under `<ns>.pod.<domain>` answers its IP of the family. */
export async function podRecord(kc: KubeConfig, client: V1Pod, pod: V1Pod, domain: string, family: IPFamily): Promise<Verdict> {
  const ip = ipOr(pod, family, podLabel(pod));
  if (typeof ip !== 'string') return ip;
  const { ns, name } = at(client);
  const record = podRecordName(ip, pod.metadata!.namespace!, domain);
  const object = `${podLabel(pod)} record ${record} (asked from ${podLabel(client)})`;
  return retryVerdict(async () => {
    const result = await dig(kc, ns, name, record, recordType(family));
    return dnsAnswersVerdict({ object, family, name: record, expected: [ip], result });
  }, { attempts: DNS_ATTEMPTS });
}

/**
 * A pod with spec.hostname and spec.subdomain, selected by a headless Service named like the
 * subdomain: `<hostname>.<service>.<ns>.svc.<domain>` answers the pod's IP of the family.
 */
export async function hostnameRecord(kc: KubeConfig, client: V1Pod, pod: V1Pod, headless: V1Service, domain: string, family: IPFamily): Promise<Verdict> {
  const object = `${podLabel(pod)} (hostname ${pod.spec?.hostname ?? 'unset'}, subdomain ${pod.spec?.subdomain ?? 'unset'}) under headless Service ${serviceName(headless)}`;
  const ip = ipOr(pod, family, object);
  if (typeof ip !== 'string') return ip;
  const { ns, name } = at(client);
  const record = `${pod.spec?.hostname ?? pod.metadata!.name!}.${fqdnOf(headless, domain)}`;
  return retryVerdict(async () => {
    const result = await dig(kc, ns, name, record, recordType(family));
    return dnsAnswersVerdict({ object, family, name: record, expected: [ip], result });
  }, { attempts: DNS_ATTEMPTS });
}

/** Each pod's kubelet-managed /etc/hosts maps its IP of the family to its hostname. */
export async function hostsFile(kc: KubeConfig, pods: readonly V1Pod[], family: IPFamily): Promise<Verdict> {
  const parts: Verdict[] = [];
  for (const pod of pods) {
    const { ns, name } = at(pod);
    const r = await runSingleProbe(kc, ns, name, '/etc/hosts', ['cat', '/etc/hosts']);
    parts.push(
      hostsFileVerdict({
        object: `${podLabel(pod)} /etc/hosts`,
        family,
        hostname: pod.spec?.hostname ?? name,
        podIps: podIPs(pod),
        entries: parseHostsFile(r.stdout),
        readError: r.ok ? undefined : r.stderr || `exit ${r.exitCode}`,
      }),
    );
  }
  return combine(parts, `/etc/hosts of ${pods.length} pod${pods.length === 1 ? '' : 's'}`, family);
}

/**
 * Partial names `<svc>` and `<svc>.<ns>`, expanded through the client's resolv.conf search
 * list (dig +search), answer the Service's ClusterIPs of the family.
 */
export async function searchPath(kc: KubeConfig, client: V1Pod, svc: V1Service, family: IPFamily): Promise<Verdict> {
  const { ns, name } = at(client);
  const ips = serviceIPsOf(svc, family);
  if (ips.length === 0) return verdict(false, { object: `Service ${serviceName(svc)}`, family, expected: `a ${family} ClusterIP`, seen: `clusterIPs [${(svc.spec?.clusterIPs ?? []).join(', ')}]` });
  const parts: Verdict[] = [];
  for (const partial of [svc.metadata!.name!, `${svc.metadata!.name!}.${svc.metadata!.namespace!}`]) {
    const object = `${podLabel(client)} partial name "${partial}" through its search path → Service ${serviceName(svc)}`;
    parts.push(
      await retryVerdict(async () => {
        const result = await dig(kc, ns, name, partial, recordType(family), { search: true });
        return dnsAnswersVerdict({ object, family, name: partial, expected: ips, result });
      }, { attempts: DNS_ATTEMPTS }),
    );
  }
  return combine(parts, `partial names of Service ${serviceName(svc)} from ${podLabel(client)}`, family);
}
