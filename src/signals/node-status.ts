import type * as k8s from '@kubernetes/client-node';
import { kubeOf } from '../targets/target.js';
import { listWatch } from '../cluster/list-watch.js';
import type { Source } from './signal.js';

const time = (t: unknown): number | undefined => (t ? new Date(t as string).getTime() : undefined);

/** A node's Ready condition: status, when it last changed (the node controller's or kubelet's clock), why. */
export function readyCondition(n: k8s.V1Node): { ready: boolean; since?: number; reason: string } {
  const c = (n.status?.conditions ?? []).find((x) => x.type === 'Ready');
  return { ready: c?.status === 'True', since: time(c?.lastTransitionTime), reason: `${c?.reason ?? 'no Ready condition'}${c?.message ? `: ${c.message}` : ''}` };
}

/**
 * Each node's Ready condition, watched: "node.ready" (value 1 Ready, 0 not:
 * Unknown when the node controller gave up on the kubelet, False when the
 * kubelet says so), dated by the condition's lastTransitionTime when it
 * changes, and said again every 5 s (the API says nothing while nothing
 * changes); "node.memory_pressure" (value 1 under pressure) the same way,
 * from the MemoryPressure condition the kubelet's eviction manager sets; "node.heartbeat" for each renewal of the node's Lease in
 * kube-node-lease, dated by its renewTime — the kubelet's heartbeat, whose
 * silence is what turns a node NotReady (node-monitor-grace-period later).
 */
export function nodeReadySource(): Source {
  return {
    key: 'kube.node-ready',
    needs: ['kube.api'],
    clock: { kind: 'event' },
    async start({ target, log, abort }) {
      const kube = kubeOf(target);
      const state = new Map<string, { ready: boolean; reason: string }>();
      const pressure = new Map<string, boolean>();
      const said = (node: string, ready: boolean, at: number, reason: string) =>
        log.emit({ signal: 'node.ready', subject: node, at, value: ready ? 1 : 0, text: reason });
      const stopNodes = await listWatch<k8s.V1Node>(kube.kc, {
        path: '/api/v1/nodes',
        list: () => kube.clients.core.listNode(),
        onEvent: (type, n) => {
          const name = n.metadata?.name ?? '';
          if (type === 'DELETED') return void state.delete(name);
          const c = readyCondition(n);
          const before = state.get(name);
          state.set(name, c);
          if (!before || before.ready !== c.ready) said(name, c.ready, before ? (c.since ?? Date.now()) : Date.now(), c.reason);
          const mp = (n.status?.conditions ?? []).find((x) => x.type === 'MemoryPressure');
          const under = mp?.status === 'True';
          if (pressure.get(name) !== under) {
            const first = !pressure.has(name);
            pressure.set(name, under);
            log.emit({ signal: 'node.memory_pressure', subject: name, at: first ? Date.now() : (time(mp?.lastTransitionTime) ?? Date.now()), value: under ? 1 : 0, text: `${mp?.reason ?? ''}${mp?.message ? `: ${mp.message}` : ''}` });
          }
        },
        abort,
      });
      const stopLeases = await listWatch<k8s.V1Lease>(kube.kc, {
        path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
        list: () => kube.clients.coordination.listNamespacedLease({ namespace: 'kube-node-lease' }),
        onEvent: (type, l) => {
          const at = time(l.spec?.renewTime);
          if (type !== 'DELETED' && type !== 'LISTED' && at) log.emit({ signal: 'node.heartbeat', subject: l.metadata?.name ?? '', at, text: l.spec?.holderIdentity ?? '' });
        },
        abort,
      });
      const timer = setInterval(() => {
        state.forEach((c, node) => said(node, c.ready, Date.now(), c.reason));
        pressure.forEach((under, node) => log.emit({ signal: 'node.memory_pressure', subject: node, at: Date.now(), value: under ? 1 : 0 }));
      }, 5000);
      return {
        stop: async () => {
          clearInterval(timer);
          stopNodes();
          stopLeases();
        },
      };
    },
  };
}
