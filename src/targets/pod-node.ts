import { createHash } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import type { Journal } from '../journal.js';
import { createObject } from '../changes/kube-object.js';
import { loadKubeConfig, kubeClients, type KubeClients } from '../cluster/kube.js';
import { parseProc } from '../cluster/host-procs.js';
import { waitFor } from '../cluster/wait.js';
import { KdrillError } from '../util/errors.js';
import type { KubeHandle } from './kube-handle.js';
import type { NodeAccess, NodeProcess, NodeRef } from './node.js';
import { podExec, podFollow, type PodExecTarget } from './pod-exec.js';
import { checkedResult, shellFileOps } from './shell-node.js';

export type PodRef = Extract<NodeRef, { via: 'pod' }>;
type KdrillObject = Parameters<typeof createObject>[2];

/**
 * The image of the node-access pods on a cluster kdrill did not make: one a
 * user's cluster can pull, with `chroot` (any busybox, alpine or debian image).
 * `kdrill run --node-image` names another (a mirror, an internal registry).
 */
export const DEFAULT_NODE_IMAGE = 'busybox:1.37';

/** The container in every node-access pod. */
const CONTAINER = 'node';

/**
 * How a command in the pod runs on the node's own files: the node's / is
 * mounted at /host (hostPath, mount propagation from the host), and the
 * command runs chrooted there, in the node's PID and network namespaces
 * (hostPID, hostNetwork). kdrill's own agent image has no shell or chroot
 * binary: its `host-exec` does the chroot itself.
 */
export function hostExecPrefix(image: string): string[] {
  return /^kdrill\.local\/agent:/.test(image) ? ['/kdrill-agent', 'host-exec', '--'] : ['chroot', '/host'];
}

function sleepCommand(image: string): string[] {
  return /^kdrill\.local\/agent:/.test(image) ? ['/kdrill-agent', 'sleep'] : ['sleep', '2147483647'];
}

/** The namespace of one run's node-access pods (labelled for Pod Security `privileged`, journaled, deleted after). */
export function nodeAccessNamespace(runId: string): string {
  return `kdrill-nodes-${createHash('sha256').update(runId).digest('hex').slice(0, 10)}`;
}

/** The node-access pod of a node: one per node and run, its name derived from the node's (names may be 253 characters). */
export function nodeAccessPodName(node: string): string {
  return `node-${createHash('sha256').update(node).digest('hex').slice(0, 12)}`;
}

const LABELS = { 'app.kubernetes.io/managed-by': 'kdrill', 'app.kubernetes.io/component': 'node-access' };

export function nodeAccessNamespaceObject(namespace: string): k8s.V1Namespace & { metadata: { name: string } } {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: namespace,
      labels: {
        ...LABELS,
        // the pods need host namespaces, a hostPath of / and privilege: Pod Security's `privileged` level, here only
        'pod-security.kubernetes.io/enforce': 'privileged',
        'pod-security.kubernetes.io/audit': 'privileged',
        'pod-security.kubernetes.io/warn': 'privileged',
      },
    },
  };
}

/**
 * A short-lived privileged pod pinned to one node: its PID and network
 * namespaces, its root file system at /host, every taint tolerated (control
 * planes too), deleted at the end of the drill (journaled) and, as a backstop
 * for a kdrill that is gone, ended by its own deadline.
 */
export function nodeAccessPod(node: string, namespace: string, image: string): k8s.V1Pod & { metadata: { name: string; namespace: string } } {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: nodeAccessPodName(node), namespace, labels: { ...LABELS }, annotations: { 'kdrill.dev/node': node } },
    spec: {
      nodeName: node,
      hostPID: true,
      hostNetwork: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      activeDeadlineSeconds: 6 * 3600,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: CONTAINER,
          image,
          imagePullPolicy: 'IfNotPresent',
          command: sleepCommand(image),
          securityContext: { privileged: true },
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
          volumeMounts: [{ name: 'host', mountPath: '/host', mountPropagation: 'HostToContainer' }],
        },
      ],
      volumes: [{ name: 'host', hostPath: { path: '/', type: 'Directory' } }],
    },
  };
}

function isRunning(p: k8s.V1Pod): boolean {
  return p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).some((c) => c.name === CONTAINER && c.state?.running);
}

function podProblem(p: k8s.V1Pod): string {
  const w = p.status?.containerStatuses?.find((c) => c.name === CONTAINER)?.state?.waiting;
  const cond = p.status?.conditions?.find((c) => c.status === 'False' && c.message);
  return `${p.metadata?.name}: ${p.status?.phase ?? 'no status'}${w ? ` (${w.reason}: ${w.message ?? ''})` : cond ? ` (${cond.message})` : ''}`;
}

/** Waits (watch, with a deadline) until the pods run, or says which did not and why (image pull, admission...). */
async function waitRunning(kc: k8s.KubeConfig, clients: KubeClients, namespace: string, names: string[], abort?: AbortSignal): Promise<void> {
  await waitFor<k8s.V1Pod>(kc, {
    what: `node-access pod(s) ${names.join(', ')} in ${namespace} to run`,
    path: `/api/v1/namespaces/${namespace}/pods`,
    list: () => clients.core.listNamespacedPod({ namespace }),
    done: (ps) => names.every((n) => ps.some((p) => p.metadata?.name === n && isRunning(p))),
    describe: (ps) => ps.filter((p) => !isRunning(p)).map(podProblem).join('; ') || 'none yet',
    timeoutMs: 3 * 60_000,
    signal: abort,
  });
}

/** 404 is "not there" (undefined); anything else is an error. */
function absent(e: { code?: number }): undefined {
  if (e.code === 404) return undefined;
  throw e;
}

/** One line from a client-node error: the API's own Status message when there is one. */
export function apiMessage(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  try {
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: string } | undefined;
    if (status?.message) return status.message;
  } catch {
    // not JSON: the error's own message
  }
  return ((e as Error).message ?? String(e)).split('\n')[0]!;
}

async function waitGone(kc: k8s.KubeConfig, clients: KubeClients, namespace: string): Promise<void> {
  await waitFor<k8s.V1Namespace>(kc, {
    what: `namespace ${namespace} to be deleted`,
    path: '/api/v1/namespaces',
    queryParams: { fieldSelector: `metadata.name=${namespace}` },
    list: () => clients.core.listNamespace({ fieldSelector: `metadata.name=${namespace}` }),
    done: (ns) => ns.length === 0,
    timeoutMs: 3 * 60_000,
  });
}

async function waitPodGone(kc: k8s.KubeConfig, clients: KubeClients, namespace: string, pod: string): Promise<void> {
  await waitFor<k8s.V1Pod>(kc, {
    what: `pod ${namespace}/${pod} to be deleted`,
    path: `/api/v1/namespaces/${namespace}/pods`,
    queryParams: { fieldSelector: `metadata.name=${pod}` },
    list: () => clients.core.listNamespacedPod({ namespace, fieldSelector: `metadata.name=${pod}` }),
    done: (ps) => ps.length === 0,
    timeoutMs: 2 * 60_000,
  });
}

/** Processes whose argv[0] basename is $1, as lines "pid<TAB>b64(cmdline)<TAB>b64(stat)<TAB>b64(cgroup)", then btime. */
const PROCESSES_SCRIPT = [
  'c15=$(printf %.15s "$1")',
  'for d in /proc/[0-9]*; do',
  // comm first (a shell builtin read: cheap), then the full argv[0]
  '  read -r comm < "$d/comm" 2>/dev/null || continue; [ "$comm" = "$c15" ] || continue',
  '  a0=$(tr "\\0" "\\n" < "$d/cmdline" 2>/dev/null | head -n1); [ "${a0##*/}" = "$1" ] || continue',
  '  printf "%s\\t%s\\t%s\\t%s\\n" "${d#/proc/}" "$(base64 -w0 < "$d/cmdline")" "$(base64 -w0 < "$d/stat")" "$(base64 -w0 < "$d/cgroup")"',
  'done 2>/dev/null',
  'grep "^btime" /proc/stat',
].join('\n');

export function parseProcessesOutput(stdout: string): NodeProcess[] {
  const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
  const bootMs = Number(/^btime (\d+)$/m.exec(stdout)?.[1] ?? 0) * 1000;
  const out: NodeProcess[] = [];
  for (const line of stdout.split('\n')) {
    const [pid, cmdline, stat, cgroup] = line.split('\t');
    if (!pid || !/^\d+$/.test(pid) || !cmdline || !stat) continue; // exited while we looked
    out.push(parseProc(Number(pid), b64(cmdline), b64(stat), b64(cgroup ?? ''), bootMs));
  }
  return out.sort((a, b) => a.startTicks - b.startTicks);
}

/** A node reached through its node-access pod; `close` removes what this access itself had to create. */
export interface PodNodeAccess extends NodeAccess {
  readonly ref: PodRef;
  close(): Promise<void>;
}

/**
 * A node reached through a privileged pod pinned to it, by the API server's
 * exec: works on any cluster whose API is up, and only then (no node.offline).
 * In the run that made the pod it is there; in a fresh process (`kdrill clean`
 * replaying a killed run's journal) the pod is normally still there too (its
 * own record, older, is undone after the node's changes); when it is not, it
 * is made again for the undo and removed by `close`.
 */
export function podNode(ref: PodRef, kc?: k8s.KubeConfig): PodNodeAccess {
  const config = kc ?? loadKubeConfig(ref.kubeconfig, ref.context);
  const clients = kubeClients(config);
  const t: PodExecTarget = { kc: config, namespace: ref.namespace, pod: nodeAccessPodName(ref.node), container: CONTAINER };
  const prefix = hostExecPrefix(ref.image);
  const made: ('namespace' | 'pod')[] = [];
  let ready: Promise<void> | undefined;
  const where = `${ref.node} (pod ${ref.namespace}/${t.pod})`;

  const ensure = (): Promise<void> =>
    (ready ??= (async () => {
      const pod = await clients.core.readNamespacedPod({ name: t.pod, namespace: ref.namespace }).catch(absent);
      if (pod && !pod.metadata?.deletionTimestamp && isRunning(pod)) return;
      if (!pod || pod.metadata?.deletionTimestamp) {
        let ns = await clients.core.readNamespace({ name: ref.namespace }).catch(absent);
        if (ns?.metadata?.deletionTimestamp) {
          // being deleted (its own record's undo, or someone's): nothing can be created in it until it is gone
          await waitGone(config, clients, ref.namespace);
          ns = undefined;
        }
        if (!ns) {
          await clients.core.createNamespace({ body: nodeAccessNamespaceObject(ref.namespace) });
          made.push('namespace');
        } else if (pod) await waitPodGone(config, clients, ref.namespace, t.pod);
        await clients.core.createNamespacedPod({ namespace: ref.namespace, body: nodeAccessPod(ref.node, ref.namespace, ref.image) });
        made.push('pod');
      }
      await waitRunning(config, clients, ref.namespace, [t.pod]);
    })().catch((e: unknown) => {
      ready = undefined;
      throw new Error(`cannot reach ${where}: ${apiMessage(e)}`);
    }));

  const exec: NodeAccess['exec'] = async (argv, opts = {}) => {
    await ensure();
    return checkedResult(where, argv, await podExec(t, [...prefix, ...argv], opts), opts.check);
  };
  return {
    ref,
    name: ref.node,
    exec,
    ...shellFileOps(exec, where),
    async processes(command) {
      const r = await exec(['sh', '-c', PROCESSES_SCRIPT, 'sh', command]);
      if (r.exitCode !== 0 && !r.stdout) throw new Error(`${where}: processes ${command}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
      return parseProcessesOutput(r.stdout);
    },
    follow(script, onLine) {
      // as for docker: the script ends when its stdin does
      const wrapped = `( ${script} ) & c=$!; cat >/dev/null; kill -STOP $c 2>/dev/null; pkill -P $c 2>/dev/null; kill -9 $c 2>/dev/null; true`;
      let stop: (() => void) | undefined;
      let stopped = false;
      ensure().then(
        () => {
          if (!stopped) stop = podFollow(t, [...prefix, 'sh', '-c', wrapped], onLine);
        },
        () => undefined,
      );
      return () => {
        stopped = true;
        stop?.();
      };
    },
    async reachable() {
      // a node the API no longer has is gone, and its files with it; an API that does not answer is an error (undo later)
      const n = await clients.core.readNode({ name: ref.node }).catch(absent);
      return n !== undefined;
    },
    async close() {
      if (made.includes('pod')) await clients.core.deleteNamespacedPod({ name: t.pod, namespace: ref.namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
      if (made.includes('namespace')) await clients.core.deleteNamespace({ name: ref.namespace }).catch(() => undefined);
      made.length = 0;
      ready = undefined;
    },
  };
}

/**
 * Node access through privileged pods for a run: the namespace (Pod Security
 * `privileged`) and one pod per node, each journaled before it is created, so
 * that the end of the drill, or `kdrill clean` after a SIGKILL, deletes them.
 */
export async function podNodes(
  kube: KubeHandle,
  journal: Journal,
  nodes: string[],
  opts: { runId: string; image: string; cluster: string; abort?: AbortSignal },
): Promise<Map<string, PodNodeAccess>> {
  const namespace = nodeAccessNamespace(opts.runId);
  await createObject(journal, kube, nodeAccessNamespaceObject(namespace) as KdrillObject);
  try {
    for (const n of nodes) await createObject(journal, kube, nodeAccessPod(n, namespace, opts.image) as KdrillObject);
  } catch (e) {
    // Pod Security or a policy engine said no: say what and where
    throw new KdrillError(`cannot create node-access pods in ${namespace}: ${apiMessage(e)}`, {
      hint: 'kdrill reaches nodes through a privileged pod (host PID and network, / at /host); the cluster must admit it in a namespace labelled pod-security.kubernetes.io/enforce=privileged',
    });
  }
  await waitRunning(kube.kc, kube.clients, namespace, nodes.map(nodeAccessPodName), opts.abort);
  const context = kube.context ?? kube.kc.getCurrentContext();
  return new Map(nodes.map((n) => [n, podNode({ via: 'pod', cluster: opts.cluster, node: n, kubeconfig: kube.kubeconfigPath, context, namespace, image: opts.image }, kube.kc)]));
}
