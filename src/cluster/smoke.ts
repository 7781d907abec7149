import type * as k8s from '@kubernetes/client-node';
import { ensureAgentImage } from '../image/index.js';
import type { KindCluster } from './cluster.js';
import { applyObjects } from './kube.js';
import { waitFor } from './wait.js';
import { clientJob, echoDeployment } from './workloads.js';

export interface SmokeResult {
  ok: boolean;
  /** What was proven (or what failed), one line each. */
  lines: string[];
  seconds: number;
}

/**
 * The cluster smoke check: a 2-replica echo Deployment spread over the nodes
 * serves through a ClusterIP Service to a client pod that finds it by DNS name
 * (CoreDNS), and answers come from both replicas (so traffic crossed nodes
 * through the CNI's routes). Everything lives in one namespace, deleted after.
 */
export async function smokeCheck(cluster: KindCluster, opts: { namespace?: string; timeoutMs?: number } = {}): Promise<SmokeResult> {
  const started = Date.now();
  const ns = opts.namespace ?? `kdrill-smoke-${Date.now().toString(36)}`;
  const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  const image = await ensureAgentImage();
  const { core, apps, batch } = cluster.clients;
  const lines: string[] = [];
  await core.createNamespace({ body: { metadata: { name: ns, labels: { 'app.kubernetes.io/managed-by': 'kdrill' } } } });
  try {
    await applyObjects(cluster.clients, echoDeployment({ namespace: ns, image, replicas: 2, spreadOverAllNodes: true }));
    await waitFor<k8s.V1Deployment>(cluster.kc, {
      what: 'echo Deployment available (2 replicas)',
      path: `/apis/apps/v1/namespaces/${ns}/deployments`,
      list: () => apps.listNamespacedDeployment({ namespace: ns }),
      done: (ds) => ds.some((d) => d.metadata?.name === 'echo' && (d.status?.availableReplicas ?? 0) >= 2),
      describe: (ds) => ds.map((d) => `${d.metadata?.name} available=${d.status?.availableReplicas ?? 0}`).join(', '),
      timeoutMs,
    });
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=echo' });
    const placement = pods.items.map((p) => `${p.metadata?.name}@${p.spec?.nodeName} ${p.status?.podIP}`);
    lines.push(`echo replicas ready: ${placement.join(', ')}`);

    await waitFor<k8s.V1EndpointSlice>(cluster.kc, {
      what: 'the echo Service to list 2 ready endpoints',
      path: `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`,
      list: () => cluster.clients.discovery.listNamespacedEndpointSlice({ namespace: ns, labelSelector: 'kubernetes.io/service-name=echo' }),
      done: (ss) => ss.flatMap((x) => x.endpoints ?? []).filter((e) => e.conditions?.ready).length >= 2,
      queryParams: { labelSelector: 'kubernetes.io/service-name=echo' },
      timeoutMs,
    });

    const url = `http://echo.${ns}.svc.cluster.local/`;
    await applyObjects(cluster.clients, [clientJob({ namespace: ns, name: 'client', image, url, distinct: 2 })]);
    const [job] = await waitFor<k8s.V1Job>(cluster.kc, {
      what: 'client Job to finish',
      path: `/apis/batch/v1/namespaces/${ns}/jobs`,
      list: () => batch.listNamespacedJob({ namespace: ns }),
      done: (js) => js.some((j) => j.metadata?.name === 'client' && ((j.status?.succeeded ?? 0) > 0 || (j.status?.failed ?? 0) > 0)),
      timeoutMs,
    });
    const clientPods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'job=client' });
    const cp = clientPods.items[0];
    const out = cp ? await core.readNamespacedPodLog({ name: cp.metadata!.name!, namespace: ns }).catch((e: Error) => `(no log: ${e.message})`) : '(no client pod)';
    const ok = (job?.status?.succeeded ?? 0) > 0;
    lines.push(`client pod ${cp?.metadata?.name}@${cp?.spec?.nodeName} GET ${url}: ${ok ? 'succeeded' : 'FAILED'}`);
    lines.push(...String(out).trim().split('\n').slice(-4).map((l) => `  ${l}`));
    return { ok, lines, seconds: (Date.now() - started) / 1000 };
  } finally {
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
}
