import type * as k8s from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { ensureAgentImage } from '../image/index.js';
import type { Journal } from '../journal.js';
import type { Target } from '../targets/target.js';
import { kubeOf, nodesOf } from '../targets/target.js';
import { applyObjects } from '../cluster/kube.js';
import { waitFor } from '../cluster/wait.js';
import { echoDeployment } from '../cluster/workloads.js';
import { createObject } from '../changes/kube-object.js';

/** What drill workloads are made in: a run's target and journal. */
export interface WorkloadContext {
  target: Target;
  journal: Journal;
  runId: string;
}

export interface EchoService {
  namespace: string;
  name: string;
  nodePort: number;
  clusterIP: string;
  /** the echo pods: name, node, IP (at the time it became available) */
  pods: { name: string; node: string; ip: string }[];
}

const perRun = new Map<string, { ns?: Promise<string>; echo?: Promise<EchoService> }>();

function run(ctx: WorkloadContext) {
  let r = perRun.get(ctx.runId);
  if (!r) perRun.set(ctx.runId, (r = {}));
  return r;
}

/** The run's own namespace, journaled: the run's end (or `kdrill clean` after a kill) deletes it and all in it. */
export function drillNamespace(ctx: WorkloadContext): Promise<string> {
  const r = run(ctx);
  r.ns ??= (async () => {
    const name = `kdrill-${createHash('sha256').update(ctx.runId).digest('hex').slice(0, 10)}`;
    await createObject(ctx.journal, kubeOf(ctx.target), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'kdrill', 'kdrill.dev/run': ctx.runId.slice(-63).replace(/^[^a-z0-9]+/, '') } },
    });
    return name;
  })();
  return r.ns;
}

/**
 * The workload drills watch: an echo Deployment spread over the workers (one
 * replica per worker, at least 2), behind a NodePort Service so it can be
 * called from outside the cluster as the postmortems' users did. One per run.
 */
export function echoService(ctx: WorkloadContext): Promise<EchoService> {
  const r = run(ctx);
  r.echo ??= (async () => {
    const namespace = await drillNamespace(ctx);
    const kube = kubeOf(ctx.target);
    const { core, apps } = kube.clients;
    const workers = [...nodesOf(ctx.target).values()].filter((n) => n.role === 'worker').length;
    const replicas = Math.max(2, workers);
    // the agent image is in the cluster already: clusterUp loads it into new clusters, the pool into attached ones
    const [dep, svc] = echoDeployment({ namespace, image: await ensureAgentImage(), replicas, spreadOverWorkers: true });
    svc.spec!.type = 'NodePort';
    await applyObjects(kube.clients, [dep, svc]);
    await waitFor<k8s.V1Deployment>(kube.kc, {
      what: 'the echo Deployment to be available',
      path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
      list: () => apps.listNamespacedDeployment({ namespace }),
      done: (ds) => ds.some((d) => d.metadata?.name === 'echo' && (d.status?.updatedReplicas ?? 0) >= replicas && (d.status?.availableReplicas ?? 0) >= replicas),
      describe: (ds) => ds.map((d) => `${d.metadata?.name}: ${d.status?.availableReplicas ?? 0}/${replicas} available`).join(', '),
      timeoutMs: 3 * 60_000,
    });
    const s = await core.readNamespacedService({ name: 'echo', namespace });
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'app=echo' })).items
      .filter((p) => p.status?.podIP)
      .map((p) => ({ name: p.metadata!.name!, node: p.spec?.nodeName ?? '', ip: p.status!.podIP! }));
    return { namespace, name: 'echo', nodePort: s.spec!.ports![0]!.nodePort!, clusterIP: s.spec!.clusterIP!, pods };
  })();
  return r.echo;
}

/** Forgets a run's workloads (its journal removes them). */
export function forgetRunWorkloads(runId: string): void {
  perRun.delete(runId);
}
