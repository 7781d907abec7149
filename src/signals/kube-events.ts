import type * as k8s from '@kubernetes/client-node';
import { listWatch } from '../cluster/list-watch.js';
import { kubeOf } from '../targets/target.js';
import { drillNamespace } from '../probes/drill-workloads.js';
import type { Source } from './signal.js';

/**
 * kube-system's (or the run's own namespace's) Events (kubelet's "Unhealthy: Liveness probe failed",
 * "Killing: Container etcd failed liveness probe, will be restarted",
 * "BackOff", ...) as "kube.event", dated by the kubelet's own timestamp (when
 * it decided, even if the API server stored it later). Subject: the pod.
 * Text: "<reason>: <message>". Re-watches when a watch ends.
 */
export function kubeEventSource(opts: { namespace?: 'kube-system' | 'run' } = {}): Source {
  const which = opts.namespace ?? 'kube-system';
  return {
    key: which === 'kube-system' ? 'kube.events' : 'kube.events.run',
    needs: ['kube.api'],
    clock: { kind: 'event' },
    async start(ctx) {
      const { target, log, abort } = ctx;
      const kc = kubeOf(target).kc;
      const namespace = which === 'kube-system' ? 'kube-system' : await drillNamespace(ctx);
      const since = Date.now();
      const seen = new Set<string>();
      const at = (e: k8s.CoreV1Event) =>
        new Date((e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? new Date()) as unknown as string).getTime();
      const stop = await listWatch<k8s.CoreV1Event>(kc, {
        path: `/api/v1/namespaces/${namespace}/events`,
        onEvent: (type, e) => {
          if (type === 'DELETED') return;
          const when = at(e);
          const key = `${e.metadata?.uid}/${e.count ?? 1}/${when}`;
          if (when < since - 1000 || seen.has(key)) return;
          seen.add(key);
          log.emit({ signal: 'kube.event', subject: e.involvedObject?.name ?? '', at: when, text: `${e.reason}: ${e.message ?? ''}`, value: e.count ?? 1 });
        },
        abort,
      });
      return { stop: async () => stop() };
    },
  };
}
