import type * as k8s from '@kubernetes/client-node';
import { listWatch } from '../cluster/list-watch.js';
import { kubeOf, nodesWithRole } from '../targets/target.js';
import { sleep } from '../util/sleep.js';
import type { Condition, Source } from './signal.js';

const COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;

/**
 * How many processes of each control-plane component run on every control
 * plane, from the nodes' /proc every 2 s: "cp.copies" (subject
 * "<node>/<component>", value the count), on change and every 10 s.
 */
export function controlPlaneCopiesSource(): Source {
  return {
    key: 'node.control-plane-copies',
    needs: ['node.fs'],
    clock: { kind: 'poll', periodMs: 2000 },
    async start({ target, log, abort }) {
      let stopped = false;
      const last = new Map<string, { n: number; at: number }>();
      const loop = (async () => {
        while (!stopped && !abort.aborted) {
          const t0 = Date.now();
          for (const node of nodesWithRole(target, 'control-plane')) {
            for (const c of COMPONENTS) {
              const n = (await node.processes(c).catch(() => undefined))?.length;
              if (n === undefined) continue;
              const subject = `${node.name}/${c}`;
              const prev = last.get(subject);
              if (prev && prev.n === n && Date.now() - prev.at < 10_000) continue;
              last.set(subject, { n, at: Date.now() });
              log.emit({ signal: 'cp.copies', subject, at: Date.now(), value: n, text: `${n} ${c} process(es) on ${node.name}` });
            }
          }
          await sleep(Math.max(0, 2000 - (Date.now() - t0)), abort);
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

/** More than one copy of a control-plane component runs on a node. */
export function duplicateControlPlaneRunning(): Condition {
  return {
    name: 'a control-plane component runs twice on a node',
    kind: 'level',
    sources: [controlPlaneCopiesSource()],
    threshold: { value: 1, unit: 'copies' },
    test: (o) => (o.signal === 'cp.copies' ? (o.value ?? 0) > 1 : undefined),
  };
}

/**
 * The leader-election Leases of the scheduler and the controller-manager
 * (kube-system), watched: "lease.holder" (subject the lease; text its
 * holderIdentity; value its leaseTransitions) whenever the holder changes,
 * dated by the lease's own acquireTime, and "lease.change" for every change
 * after the first holder seen.
 */
export function leaseHolderSource(): Source {
  return {
    key: 'kube.leader-leases',
    needs: ['kube.api'],
    clock: { kind: 'event' },
    async start({ target, log, abort }) {
      const kube = kubeOf(target);
      const names = new Set(['kube-scheduler', 'kube-controller-manager']);
      const holder = new Map<string, string>();
      const said = new Map<string, number>();
      const seen = (l: k8s.V1Lease): void => {
        const name = l.metadata?.name ?? '';
        if (!names.has(name)) return;
        const who = l.spec?.holderIdentity ?? '';
        // the same holder is said again every 10 s (renewals): evidence that nothing changed
        if (holder.get(name) === who) {
          if (Date.now() - (said.get(name) ?? 0) >= 10_000) {
            said.set(name, Date.now());
            log.emit({ signal: 'lease.holder', subject: name, at: Date.now(), value: l.spec?.leaseTransitions ?? 0, text: who });
          }
          return;
        }
        said.set(name, Date.now());
        const at = l.spec?.acquireTime ? new Date(l.spec.acquireTime as unknown as string).getTime() : Date.now();
        const before = holder.get(name);
        holder.set(name, who);
        log.emit({ signal: 'lease.holder', subject: name, at, value: l.spec?.leaseTransitions ?? 0, text: who });
        if (before !== undefined) log.emit({ signal: 'lease.change', subject: name, at, value: l.spec?.leaseTransitions ?? 0, text: `${before || '(none)'} → ${who || '(none)'}` });
      };
      const stop = await listWatch<k8s.V1Lease>(kube.kc, {
        path: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases',
        list: () => kube.clients.coordination.listNamespacedLease({ namespace: 'kube-system' }),
        onEvent: (_t, l) => seen(l),
        abort,
      });
      return { stop: async () => stop() };
    },
  };
}

/** The component's leader-election lease changed hands (another instance took over). */
export function leaderChanged(component: 'kube-scheduler' | 'kube-controller-manager'): Condition {
  return {
    name: `${component}'s leader lease changed hands`,
    kind: 'event',
    sources: [leaseHolderSource()],
    // a change fires; the holder said again (a renewal) is evidence that it did not
    test: (o) => (o.subject !== component ? undefined : o.signal === 'lease.change' ? true : o.signal === 'lease.holder' ? false : undefined),
  };
}
