import { followPodLogs } from '../targets/pod-logs.js';
import { nodesOf, nodesWithRole } from '../targets/target.js';
import type { Source } from './signal.js';

/**
 * Control-plane component logs from every control-plane node's /var/log/pods
 * (klog lines; they survive the API server being down), as
 * "log.<component>" with subject "<node>", dated by the CRI timestamp.
 */
export function componentLogSource(component: 'kube-apiserver' | 'kube-scheduler' | 'kube-controller-manager'): Source {
  return {
    key: `kube.logs.${component}`,
    needs: ['node.fs'],
    clock: { kind: 'event' },
    async start({ target, log }) {
      const since = Date.now();
      const stops = nodesWithRole(target, 'control-plane').map((node) =>
        followPodLogs(node, `/var/log/pods/kube-system_${component}-*/${component}`, since, (line, at) =>
          log.emit({ signal: `log.${component}`, subject: node.name, at, text: line.slice(0, 500) }),
        ),
      );
      return { stop: async () => stops.forEach((s) => s()) };
    },
  };
}

/** kubelet's journal on every node, as "log.kubelet" with subject "<node>", dated by the journal's own timestamp. */
export function kubeletLogSource(): Source {
  return {
    key: 'kube.logs.kubelet',
    needs: ['node.fs'],
    clock: { kind: 'event' },
    async start({ target, log }) {
      // short-unix: "<epoch seconds.micros> <host> <ident>[pid]: <message>"
      const stops = [...nodesOf(target).values()].map((node) =>
        node.follow('exec journalctl -u kubelet -f -n 0 -o short-unix', (line) => {
          const m = /^(\d+\.\d+) \S+ [^:]+: (.*)$/.exec(line);
          log.emit({ signal: 'log.kubelet', subject: node.name, at: m ? Math.round(Number(m[1]) * 1000) : Date.now(), text: (m ? m[2]! : line).slice(0, 500) });
        }),
      );
      return { stop: async () => stops.forEach((s) => s()) };
    },
  };
}
