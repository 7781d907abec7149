import type * as k8s from '@kubernetes/client-node';
import type { KubeHandle } from '../targets/kube-handle.js';
import { waitFor } from '../cluster/wait.js';
import { podEnv } from '../cluster/workloads.js';

/**
 * Short-lived pods kdrill creates to ask a question from inside the cluster
 * (does a new pod on this node get an address from its node's range? can it
 * reach a peer on another node?), pinned to one node, run once, read, deleted.
 */
export interface ProbePodResult {
  name: string;
  node: string;
  /** the address the CNI gave it ('' when it got none) */
  ip: string;
  phase: string;
  /** epoch ms: when kdrill asked for it (its own clock: creationTimestamp has 1 s resolution) */
  askedAt: number;
  /** epoch ms: created, and (when it ran) when its container finished */
  createdAt: number;
  /** when the sandbox got its address (PodReadyToStartContainers), by the cluster's clock */
  addressedAt?: number;
  finishedAt?: number;
  /** its log (the agent prints one JSON line) */
  log: string;
  /** why it never ran, when it did not (the kubelet's reason) */
  why?: string;
}

export function probePod(o: { namespace: string; name: string; node: string; image: string; args: string[]; labels?: Record<string, string> }): k8s.V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: o.name, namespace: o.namespace, labels: { 'app.kubernetes.io/managed-by': 'kdrill', 'kdrill.dev/probe-pod': 'true', ...o.labels } },
    spec: {
      nodeName: o.node, // pinned: no scheduler involved (it may be the thing that is down)
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'probe', image: o.image, imagePullPolicy: 'Never', args: o.args, env: podEnv, resources: { requests: { cpu: '5m', memory: '8Mi' }, limits: { memory: '32Mi' } } }],
    },
  };
}

const ms = (d: unknown): number | undefined => (d ? new Date(d as string).getTime() : undefined);

/** Creates the pod, waits until it has run (or `timeoutMs`), reads it, deletes it. */
export async function runProbePod(kube: KubeHandle, pod: k8s.V1Pod, timeoutMs: number, signal?: AbortSignal): Promise<ProbePodResult> {
  const { core } = kube.clients;
  const namespace = pod.metadata!.namespace!;
  const name = pod.metadata!.name!;
  const askedAt = Date.now();
  await core.createNamespacedPod({ namespace, body: pod });
  try {
    let last: k8s.V1Pod | undefined;
    await waitFor<k8s.V1Pod>(kube.kc, {
      what: `probe pod ${name}`,
      path: `/api/v1/namespaces/${namespace}/pods`,
      queryParams: { fieldSelector: `metadata.name=${name}` },
      list: () => core.listNamespacedPod({ namespace, fieldSelector: `metadata.name=${name}` }),
      done: (ps) => {
        last = ps[0];
        return last?.status?.phase === 'Succeeded' || last?.status?.phase === 'Failed';
      },
      timeoutMs,
      signal,
    }).catch(() => undefined); // not finished in time: what it is now is the answer
    last = await core.readNamespacedPod({ name, namespace }).catch(() => last);
    const st = last?.status;
    const term = st?.containerStatuses?.[0]?.state?.terminated;
    const waiting = st?.containerStatuses?.[0]?.state?.waiting;
    let log = '';
    if (term) log = await core.readNamespacedPodLog({ name, namespace }).then(String, () => '');
    let why: string | undefined;
    if (!term) {
      // a pod that never ran: the kubelet's Events say why (a CNI that fails to set up the sandbox, say)
      const evs = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` }).then((l) => l.items, () => []);
      const bad = evs.filter((e) => e.type === 'Warning').pop();
      why = bad ? `${bad.reason}: ${bad.message}` : waiting ? `${waiting.reason}: ${waiting.message ?? ''}` : `phase ${st?.phase ?? 'unknown'}`;
    }
    return {
      name,
      node: pod.spec!.nodeName!,
      ip: st?.podIP ?? '',
      phase: st?.phase ?? 'Unknown',
      askedAt,
      createdAt: ms(last?.metadata?.creationTimestamp) ?? Date.now(),
      addressedAt: ms((st?.conditions ?? []).find((c) => c.type === 'PodReadyToStartContainers' && c.status === 'True')?.lastTransitionTime),
      finishedAt: ms(term?.finishedAt),
      log,
      ...(why ? { why } : {}),
    };
  } finally {
    await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
  }
}
