import YAML from 'yaml';
import { kubeOf, nodesWithRole } from '../targets/target.js';
import { cidrWithin } from '../util/cidr.js';
import { sleep } from '../util/sleep.js';
import type { Source } from './signal.js';

export const CONTROLLER_MANAGER_MANIFEST = '/etc/kubernetes/manifests/kube-controller-manager.yaml';

/** A flag's value in a static pod manifest's command ("--cluster-cidr=10.244.0.0/16" → "10.244.0.0/16"). */
export function manifestFlag(manifest: string, flag: string): string | undefined {
  const pod = YAML.parse(manifest) as { spec?: { containers?: { command?: string[] }[] } } | null;
  const arg = (pod?.spec?.containers?.[0]?.command ?? []).find((a) => a.startsWith(`${flag}=`));
  return arg?.slice(flag.length + 1);
}

/**
 * Where a cluster's pod CIDR is written down, read together every 5 s:
 * kubeadm-config's networking.podSubnet, the controller-manager's
 * --cluster-cidr (its manifest on every control plane), kube-proxy's
 * clusterCIDR (its ConfigMap), and every node's spec.podCIDR. "cidr.agreement"
 * (subject "cluster"): value 1 when they agree (the three ranges equal, every
 * node's range inside), 0 when they do not; text names each.
 */
export function cidrAgreementSource(): Source {
  return {
    key: 'kube.cidr-agreement',
    needs: ['kube.api', 'node.fs'],
    clock: { kind: 'poll', periodMs: 5000 },
    async start({ target, log, abort }) {
      const kube = kubeOf(target);
      const { core } = kube.clients;
      const read = async (): Promise<{ ok: boolean; text: string }> => {
        const kubeadm = await core.readNamespacedConfigMap({ name: 'kubeadm-config', namespace: 'kube-system' });
        const podSubnet = (YAML.parse(kubeadm.data?.ClusterConfiguration ?? '') as { networking?: { podSubnet?: string } } | null)?.networking?.podSubnet ?? '';
        const proxy = await core.readNamespacedConfigMap({ name: 'kube-proxy', namespace: 'kube-system' });
        const proxyCidr = (YAML.parse(proxy.data?.['config.conf'] ?? '') as { clusterCIDR?: string } | null)?.clusterCIDR ?? '';
        const cm: string[] = [];
        for (const n of nodesWithRole(target, 'control-plane')) {
          const f = await n.readFile(CONTROLLER_MANAGER_MANIFEST);
          cm.push(f ? (manifestFlag(f.content.toString('utf8'), '--cluster-cidr') ?? '(none)') : '(no manifest)');
        }
        const nodes = (await core.listNode()).items.map((n) => ({ name: n.metadata!.name!, cidr: n.spec?.podCIDR ?? '' }));
        const ranges = [podSubnet, proxyCidr, ...cm];
        const same = ranges.every((r) => r === podSubnet);
        const outside = nodes.filter((n) => !cidrWithin(n.cidr, podSubnet) || cm.some((c) => !cidrWithin(n.cidr, c)) || !cidrWithin(n.cidr, proxyCidr));
        const text =
          `kubeadm-config podSubnet ${podSubnet || '(none)'}; kube-controller-manager --cluster-cidr ${[...new Set(cm)].join(', ')}; ` +
          `kube-proxy clusterCIDR ${proxyCidr || '(none)'}; nodes' podCIDRs ${nodes.map((n) => n.cidr).join(', ')}` +
          (outside.length ? ` (${outside.map((n) => n.name).join(', ')} outside a range the others name)` : '');
        return { ok: same && outside.length === 0, text };
      };
      let stopped = false;
      const loop = (async () => {
        while (!stopped && !abort.aborted) {
          const t0 = Date.now();
          try {
            const r = await read();
            log.emit({ signal: 'cidr.agreement', subject: 'cluster', at: Date.now(), value: r.ok ? 1 : 0, text: r.text });
          } catch {
            /* the API away: nothing read, nothing said */
          }
          await sleep(Math.max(0, 5000 - (Date.now() - t0)), abort);
        }
      })();
      return {
        stop: async () => {
          stopped = true;
          await loop;
        },
      };
    },
  };
}
