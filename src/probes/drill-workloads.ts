import type * as k8s from '@kubernetes/client-node';
import { ensureAgentImage } from '../image/index.js';
import type { KubeHandle } from '../targets/kube-handle.js';
import { applyObjects } from '../cluster/kube.js';
import { waitFor } from '../cluster/wait.js';
import { echoDeployment } from '../cluster/workloads.js';

export const DRILL_NAMESPACE = 'kdrill-drill';

/**
 * The workload drills watch: a 2-replica echo Deployment on the workers,
 * behind a NodePort Service so it can be called from outside the cluster (as
 * the postmortem's users did). Created once per cluster and reused.
 */
export async function ensureEchoService(cluster: KubeHandle): Promise<{ nodePort: number }> {
  const { core, apps } = cluster.clients;
  await core.createNamespace({ body: { metadata: { name: DRILL_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'kdrill' } } } }).catch((e: { code?: number }) => {
    if (e.code !== 409) throw e;
  });
  // the agent image is in the cluster already: clusterUp loads it into new clusters, the pool into attached ones
  const [dep, svc] = echoDeployment({ namespace: DRILL_NAMESPACE, image: await ensureAgentImage(), replicas: 2 });
  svc.spec!.type = 'NodePort';
  await applyObjects(cluster.clients, [dep, svc]);
  await waitFor<k8s.V1Deployment>(cluster.kc, {
    what: 'the echo Deployment to be available',
    path: `/apis/apps/v1/namespaces/${DRILL_NAMESPACE}/deployments`,
    list: () => apps.listNamespacedDeployment({ namespace: DRILL_NAMESPACE }),
    done: (ds) => ds.some((d) => d.metadata?.name === 'echo' && (d.status?.updatedReplicas ?? 0) >= 2 && (d.status?.availableReplicas ?? 0) >= 2),
    timeoutMs: 3 * 60_000,
  });
  const s = await core.readNamespacedService({ name: 'echo', namespace: DRILL_NAMESPACE });
  return { nodePort: s.spec!.ports![0]!.nodePort! };
}
