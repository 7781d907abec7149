import type * as k8s from '@kubernetes/client-node';
import { kubeOf } from '../targets/target.js';
import { listWatch } from '../cluster/list-watch.js';
import { ipInCidr } from '../util/cidr.js';
import type { Source } from './signal.js';

/** When a pod got its address, by the cluster's own clock (1 s resolution): its sandbox became ready, else it started. */
function addressedAt(p: k8s.V1Pod): number | undefined {
  const c = (p.status?.conditions ?? []).find((x) => x.type === 'PodReadyToStartContainers' && x.status === 'True');
  const t = c?.lastTransitionTime ?? p.status?.startTime;
  return t ? new Date(t as unknown as string).getTime() : undefined;
}

/**
 * Every pod's address against its node's spec.podCIDR(s), cluster-wide, as
 * "pod.cidr" (subject: the node; value 1 inside, 0 outside; text: the pod,
 * its IP and the node's range), once per pod when it first has an address,
 * dated by the cluster (when the sandbox got it). Host-network pods are
 * skipped. And "pod.duplicate_ip" (value 1) when a pod gets the address of a
 * live pod on another node: a CNI whose IPAM is per node (host-local) on one
 * shared range hands every node the same addresses. A watch, re-listed when it ends.
 */
export function podCidrSource(): Source {
  return {
    key: 'kube.pod-cidr',
    needs: ['kube.api'],
    clock: { kind: 'event' },
    async start({ target, log, abort }) {
      const kube = kubeOf(target);
      const cidrs = new Map<string, string[]>();
      const readNodes = async () => {
        for (const n of (await kube.clients.core.listNode()).items) cidrs.set(n.metadata!.name!, n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : []));
      };
      await readNodes();
      const seen = new Set<string>();
      const live = new Map<string, { uid: string; node: string; name: string }[]>(); // ip -> live pods with it
      const forget = (p: k8s.V1Pod): void => {
        const ip = p.status?.podIP;
        if (ip) live.set(ip, (live.get(ip) ?? []).filter((x) => x.uid !== p.metadata?.uid));
      };
      const judge = async (p: k8s.V1Pod): Promise<void> => {
        const ip = p.status?.podIP;
        const node = p.spec?.nodeName;
        const uid = p.metadata?.uid ?? '';
        if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' || p.metadata?.deletionTimestamp) return forget(p);
        if (!ip || !node || p.spec?.hostNetwork || seen.has(uid)) return;
        seen.add(uid);
        const name = `${p.metadata?.namespace}/${p.metadata?.name}`;
        const others = (live.get(ip) ?? []).filter((x) => x.node !== node);
        live.set(ip, [...(live.get(ip) ?? []), { uid, node, name }]);
        if (others.length) {
          log.emit({ signal: 'pod.duplicate_ip', subject: node, at: addressedAt(p) ?? Date.now(), value: 1, text: `${name} got ${ip}, the address of ${others.map((o) => `${o.name} on ${o.node}`).join(', ')}` });
        }
        if (!cidrs.has(node)) await readNodes().catch(() => undefined);
        const ranges = cidrs.get(node) ?? [];
        const inside = ranges.some((r) => ipInCidr(ip, r));
        log.emit({ signal: 'pod.cidr', subject: node, at: addressedAt(p) ?? Date.now(), value: inside ? 1 : 0, text: `${p.metadata?.namespace}/${p.metadata?.name} ${ip} (node podCIDR ${ranges.join(',') || 'none'})` });
      };
      const stop = await listWatch<k8s.V1Pod>(kube.kc, {
        path: '/api/v1/pods',
        list: () => kube.clients.core.listPodForAllNamespaces(),
        query: { allowWatchBookmarks: 'true' },
        onEvent: (type, p) => void (type === 'DELETED' ? forget(p) : judge(p)),
        abort,
      });
      return { stop: async () => stop() };
    },
  };
}
