import type * as k8s from '@kubernetes/client-node';
import { ensureAgentImage } from '../image/index.js';
import { kubeOf } from '../targets/target.js';
import { drillNamespace } from '../probes/drill-workloads.js';
import { applyObjects } from '../cluster/kube.js';
import { waitFor } from '../cluster/wait.js';
import { parseDuration, type Duration } from '../util/duration.js';
import { sleep } from '../util/sleep.js';
import type { Source } from './signal.js';

const NAME = 'reconcile-canary';

/**
 * Are the controllers reconciling? A canary Deployment in the run's
 * namespace is scaled 1 → 2 → 3 → 1 ... every `every`, and each change is
 * timed until the ReplicaSet controller has made (or removed) the pods: the
 * pod objects, scheduled or not. "reconcile.ok" (subject "replicaset-controller";
 * value 1 done, 0 not within `patience`, text what was wanted and what is
 * there) and "reconcile.latency" (ms). While a change is not done the canary
 * waits on it (no new change piles up) and says so every `every`. A
 * controller-manager that crash-loops, or a controller that lost a permission,
 * shows here as "a Deployment scaled up gets no pods".
 */
export function reconcileCanarySource(opts: { every?: Duration; patience?: Duration } = {}): Source {
  const everyMs = parseDuration(opts.every ?? '10s', 'reconcileCanary.every');
  const patienceMs = parseDuration(opts.patience ?? '30s', 'reconcileCanary.patience');
  return {
    key: `reconcile-canary:${everyMs}:${patienceMs}`,
    needs: ['kube.api'],
    clock: { kind: 'poll', periodMs: everyMs },
    async start(ctx) {
      const { target, log, abort } = ctx;
      const kube = kubeOf(target);
      const namespace = await drillNamespace(ctx);
      const labels = { app: NAME, 'app.kubernetes.io/managed-by': 'kdrill' };
      const dep: k8s.V1Deployment = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: NAME, namespace, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: NAME } },
          template: {
            metadata: { labels },
            spec: {
              terminationGracePeriodSeconds: 0,
              containers: [{ name: 'sleep', image: await ensureAgentImage(), imagePullPolicy: 'Never', args: ['sleep'], resources: { requests: { cpu: '1m', memory: '4Mi' }, limits: { memory: '16Mi' } } }],
            },
          },
        },
      };
      await applyObjects(kube.clients, [dep]);
      const pods = async () =>
        (await kube.clients.core.listNamespacedPod({ namespace, labelSelector: `app=${NAME}` })).items.filter((p) => !p.metadata?.deletionTimestamp).length;
      let stopped = false;
      let desired = 1;
      const loop = (async () => {
        while (!stopped && !abort.aborted) {
          desired = (desired % 3) + 1;
          const t0 = Date.now();
          // a JSON patch: client-node sends application/json-patch+json by default
          await kube.clients.apps.patchNamespacedDeploymentScale({ name: NAME, namespace, body: [{ op: 'replace', path: '/spec/replicas', value: desired }] }).catch(() => undefined);
          // wait for it (and keep saying it is not done): a stalled controller does not get a second change piled on
          for (;;) {
            const done = await waitFor<k8s.V1Pod>(kube.kc, {
              what: `${desired} canary pods`,
              path: `/api/v1/namespaces/${namespace}/pods`,
              queryParams: { labelSelector: `app=${NAME}` },
              list: () => kube.clients.core.listNamespacedPod({ namespace, labelSelector: `app=${NAME}` }),
              done: (ps) => ps.filter((p) => !p.metadata?.deletionTimestamp).length === desired,
              timeoutMs: Math.min(patienceMs, Math.max(1000, t0 + patienceMs - Date.now())),
              signal: abort,
            }).then(
              () => true,
              () => false,
            );
            const now = Date.now();
            if (stopped || abort.aborted) return;
            if (done) {
              log.emit({ signal: 'reconcile.ok', subject: 'replicaset-controller', at: now, value: 1, text: `${desired} canary pods after ${now - t0} ms` });
              log.emit({ signal: 'reconcile.latency', subject: 'replicaset-controller', at: now, value: now - t0 });
              break;
            }
            const have = await pods().catch(() => -1);
            log.emit({ signal: 'reconcile.ok', subject: 'replicaset-controller', at: now, value: 0, text: `a Deployment scaled to ${desired} has ${have < 0 ? 'unknown' : have} pod(s) ${Math.round((now - t0) / 1000)} s later` });
            await sleep(everyMs, abort);
          }
          await sleep(Math.max(0, everyMs - (Date.now() - t0)), abort);
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
