import type * as k8s from '@kubernetes/client-node';
import { kubeOf } from '../targets/target.js';
import { listWatch } from '../cluster/list-watch.js';
import { drillNamespace } from '../probes/drill-workloads.js';
import type { Source } from './signal.js';

const time = (t: unknown): number | undefined => (t ? new Date(t as string).getTime() : undefined);

/** The pod's app label, or its name: conditions pick pods by it. */
export function podApp(p: k8s.V1Pod): string {
  return p.metadata?.labels?.app ?? p.metadata?.name ?? '';
}

/**
 * The run's own pods, watched (subject: the pod; text starts with
 * "app=<label> node=<node>"):
 * - "pod.restart" (event) when a container's restartCount goes up, dated by
 *   the kubelet (the terminated state's finishedAt), with the reason
 *   (OOMKilled, Error) and exit code; value: the restart count;
 * - "pod.ready" (level: 1 Ready, 0 not), dated by the Ready condition's
 *   lastTransitionTime when it changes, and said again every 5 s;
 * - "pod.evicted" (event) when the kubelet evicted it (value 1: its eviction
 *   manager, dated by the DisruptionTarget condition) or turned it away at
 *   admission under pressure (value 0: phase Failed, reason Evicted), with the kubelet's message.
 */
export function podStatusSource(): Source {
  return {
    key: 'kube.run-pods',
    needs: ['kube.api'],
    clock: { kind: 'event' },
    async start(ctx) {
      const { target, log, abort } = ctx;
      const kube = kubeOf(target);
      const namespace = await drillNamespace(ctx);
      const known = new Map<string, { restarts: Map<string, number>; ready: boolean; evicted: boolean; head: string; name: string }>();
      const stop = await listWatch<k8s.V1Pod>(kube.kc, {
        path: `/api/v1/namespaces/${namespace}/pods`,
        list: () => kube.clients.core.listNamespacedPod({ namespace }),
        onEvent: (type, p) => {
          const uid = p.metadata?.uid ?? '';
          const name = p.metadata?.name ?? '';
          if (type === 'DELETED') return void known.delete(uid);
          const head = `app=${podApp(p)} node=${p.spec?.nodeName ?? '(none)'}`;
          let k = known.get(uid);
          const fresh = !k;
          if (!k) known.set(uid, (k = { restarts: new Map(), ready: false, evicted: false, head, name }));
          k.head = head;
          for (const cs of p.status?.containerStatuses ?? []) {
            const before = k.restarts.get(cs.name);
            k.restarts.set(cs.name, cs.restartCount);
            if (before !== undefined && cs.restartCount > before) {
              const t = cs.lastState?.terminated;
              log.emit({ signal: 'pod.restart', subject: name, at: time(t?.finishedAt) ?? Date.now(), value: cs.restartCount, text: `${head} container ${cs.name} ${t?.reason ?? 'restarted'} (exit ${t?.exitCode ?? '?'})` });
            }
          }
          const rc = (p.status?.conditions ?? []).find((c) => c.type === 'Ready');
          const ready = rc?.status === 'True';
          if (fresh || ready !== k.ready) log.emit({ signal: 'pod.ready', subject: name, at: fresh ? Date.now() : (time(rc?.lastTransitionTime) ?? Date.now()), value: ready ? 1 : 0, text: `${head} ${rc?.reason ?? ''}`.trim() });
          k.ready = ready;
          // evicted: the kubelet's eviction manager (a DisruptionTarget condition, reason TerminationByKubelet, then
          // phase Failed) or its admission turning a pod away under pressure (phase Failed, reason Evicted)
          const dt = (p.status?.conditions ?? []).find((c) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'TerminationByKubelet');
          if ((dt || p.status?.reason === 'Evicted') && !k.evicted) {
            k.evicted = true;
            const how = dt ? `evicted: ${dt.message ?? ''}` : `turned away: ${p.status?.message ?? ''}`;
            log.emit({ signal: 'pod.evicted', subject: name, at: time(dt?.lastTransitionTime) ?? Date.now(), value: dt ? 1 : 0, text: `${head} ${how}`.trim() });
          }
        },
        abort,
      });
      const timer = setInterval(() => known.forEach((k) => !k.evicted && log.emit({ signal: 'pod.ready', subject: k.name, at: Date.now(), value: k.ready ? 1 : 0, text: k.head })), 5000);
      return {
        stop: async () => {
          clearInterval(timer);
          stop();
        },
      };
    },
  };
}
