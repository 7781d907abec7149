import { followNodeScript, followPodLogs } from '../cluster/node-logs.js';
import type { KindTarget } from '../targets/kind-etcd.js';
import type { Source } from './signal.js';

/**
 * Control-plane component logs from every control-plane node's /var/log/pods
 * (klog lines; they survive the API server being down), as
 * "log.<component>" with subject "<node>", dated by the CRI timestamp.
 */
export function componentLogSource(component: 'kube-apiserver' | 'kube-scheduler' | 'kube-controller-manager'): Source<KindTarget> {
  return {
    key: `kube.logs.${component}`,
    async start({ target, log }) {
      const since = Date.now();
      const stops = [...target.nodes]
        .filter(([, n]) => n.role === 'control-plane')
        .map(([node]) =>
          followPodLogs(node, `/var/log/pods/kube-system_${component}-*/${component}`, since, (line, at) =>
            log.emit({ signal: `log.${component}`, subject: node, at, text: line.slice(0, 500) }),
          ),
        );
      return { stop: async () => stops.forEach((s) => s()) };
    },
  };
}

/** kubelet's journal on every node, as "log.kubelet" with subject "<node>". */
export function kubeletLogSource(): Source<KindTarget> {
  return {
    key: 'kube.logs.kubelet',
    async start({ target, log }) {
      const stops = [...target.nodes.keys()].map((node) =>
        followNodeScript(node, 'exec journalctl -u kubelet -f -n 0 -o cat', (line) => log.emit({ signal: 'log.kubelet', subject: node, at: Date.now(), text: line.slice(0, 500) })),
      );
      return { stop: async () => stops.forEach((s) => s()) };
    },
  };
}
