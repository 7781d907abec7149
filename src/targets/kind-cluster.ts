import { execa } from 'execa';
import { Etcd3 } from 'etcd3';
import YAML from 'yaml';
import type * as k8s from '@kubernetes/client-node';
import type { EtcdCapability, EtcdMember } from './etcd-target.js';
import type { Capability, NamedCluster, NodeAccessChoice, ProvisionContext, Target, TargetProvider } from './target.js';
import type { ClusterNode } from './node.js';
import type { KubeHandle, KubeRef } from './kube-handle.js';
import { dockerNode } from './docker-node.js';
import { DEFAULT_NODE_IMAGE, podNodes } from './pod-node.js';
import { followPodLogs } from './pod-logs.js';
import { acquireCluster, nodeIp, runPurpose, type ClusterShape } from './kind-pool.js';
import { KindCluster } from '../cluster/cluster.js';
import type { LoopDisk } from '../cluster/loop-disk.js';
import { leaseCluster, releaseLease } from '../cluster/lease.js';
import { ensureAgentImage } from '../image/index.js';
import { waitFor } from '../cluster/wait.js';
import { hostPlace, processCgroupDir } from '../host/cgroups.js';
import { KdrillError } from '../util/errors.js';
import { flushHostDisk } from '../host/disk.js';
import type { JournalEntry } from '../journal.js';
import { writeNodeFileChange } from '../changes/node-file.js';
import { SLOWFS_CONTROL, slowFsStats } from '../cluster/slowfs.js';
import { etcdExecLivenessProbe, runExecProbe, type ExecProbe } from './etcd-probes.js';

export const ETCD_MANIFEST = '/etc/kubernetes/manifests/etcd.yaml';

/**
 * A Kubernetes cluster as a drill target: its API, its nodes, and (for
 * kubeadm control planes) its etcd. Providers: the kind pool (nodes through
 * docker exec) here; an existing cluster (nodes through a privileged pod).
 */
export interface ClusterTarget extends Target {
  kind: 'cluster';
  kube: KubeHandle;
  nodes: ReadonlyMap<string, ClusterNode>;
  etcd?: EtcdCapability;
}

export interface KindTargetOptions {
  /**
   * Rewrites every control plane's etcd static pod (parsed YAML) at
   * provisioning, e.g. the 2018 kubeadm liveness probe. The original is
   * journaled first and restored when the drill ends.
   */
  etcdPod?: (pod: Record<string, unknown>) => void;
  /** What etcdPod does, for the report. */
  etcdPodChange?: string;
}

/** What a kind cluster of this shape offers. */
export function kindCapabilities(shape: ClusterShape): ReadonlySet<Capability> {
  const c: Capability[] = ['kube.api', 'node.fs', 'node.host', 'node.offline', 'etcd', 'etcd.static-pod'];
  if (shape.etcdOwnDisk || shape.etcdSlowFs) c.push('etcd.disk-throttle');
  if (shape.etcdSlowFs) c.push('etcd.slowfs');
  return new Set(c);
}

async function etcdProcess(node: ClusterNode) {
  const ps = await node.processes('etcd');
  return ps[ps.length - 1];
}

/** Waits (host /proc, 500 ms: procfs has no watch) for an etcd process on the node that started after `afterTicks`. */
async function waitForNewEtcd(node: ClusterNode, afterTicks: number, timeoutMs: number, abort?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !abort?.aborted) {
    const p = await etcdProcess(node);
    if (p && p.startTicks > afterTicks) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (abort?.aborted) return;
  throw new KdrillError(`etcd did not restart on ${node.name} within ${timeoutMs / 1000}s after its manifest changed`);
}

/**
 * GET on etcd's metrics listener (127.0.0.1:2381 inside the node: /metrics,
 * /livez, /readyz, /health), from the node itself, not a port opened to the
 * host. Rejects on no answer within `timeoutMs` or an HTTP error status.
 */
async function metricsPortGet(node: ClusterNode, path: string, timeoutMs: number): Promise<string> {
  const r = await node.exec(['curl', '-sf', '--max-time', String(timeoutMs / 1000), `http://127.0.0.1:2381${path}`], { timeoutMs: timeoutMs + 2000 });
  if (r.exitCode !== 0) throw new Error(`${node.name} etcd ${path}: curl exit ${r.exitCode}`);
  return r.stdout;
}

function member(node: ClusterNode, dataDevice: () => Promise<string>, slowfs: boolean): EtcdMember {
  return {
    name: node.name,
    node,
    clientUrl: () => `https://${node.ip}:2379`,
    metrics: (timeoutMs = 3000) => metricsPortGet(node, '/metrics', timeoutMs),
    metricsGet: (path, timeoutMs) => metricsPortGet(node, path, timeoutMs),
    async ioCgroup() {
      // behind kdrill-slowfs the layer's process does etcd's disk I/O, so it is charged for it
      const ps = await node.processes(slowfs ? 'kdrill-slowfs' : 'etcd');
      const p = ps[ps.length - 1];
      if (!p) throw new Error(`no ${slowfs ? 'kdrill-slowfs' : 'etcd'} process on node ${node.name}`);
      const place = await hostPlace('io');
      return { dir: processCgroupDir(p.cgroups, place, 'io'), version: place.version };
    },
    dataDevice,
    ...(slowfs ? { fsyncDelay: { node, controlFile: SLOWFS_CONTROL, stats: () => slowFsStats(node) } } : {}),
    followLogs(since, onLine) {
      return followPodLogs(node, '/var/log/pods/kube-system_etcd-*/etcd', since, (line) => onLine(line));
    },
  };
}

/** The device under /var/lib/etcd inside the node ("major:minor" of the whole disk). */
async function nodeDataDevice(node: ClusterNode): Promise<string> {
  const r = await node.exec(['sh', '-c', 'mountpoint -d /var/lib/etcd 2>/dev/null || stat -c %d /var/lib/etcd']);
  const v = r.stdout.trim();
  if (v.includes(':')) return v;
  throw new KdrillError(`/var/lib/etcd on ${node.name} is not on a disk of its own (st_dev ${v})`, {
    hint: 'give the cluster shape etcdOwnDisk: true, or pass throttleDisk({ device }) explicitly',
  });
}

/** The API server answers a list (retried by waitFor until the deadline). */
async function waitForApi(kube: KubeHandle, timeoutMs: number): Promise<void> {
  await waitFor<k8s.V1Node>(kube.kc, {
    what: 'the API server to answer after etcd came back',
    path: '/api/v1/nodes',
    list: () => kube.clients.core.listNode(),
    done: (ns) => ns.length > 0,
    timeoutMs,
  });
}

/** A kind cluster of `shape` from the pool (created once per process, shared by the drills of that shape). */
export function kindCluster(shape: ClusterShape, opts: KindTargetOptions = {}): TargetProvider<ClusterTarget> {
  const provides = kindCapabilities(shape);
  return {
    name: `kind cluster kdrill-${shape.name.replace(/^kdrill-/, '')} (${shape.controlPlanes}+${shape.workers}${shape.etcdSlowFs ? ', etcd on its own disks behind kdrill-slowfs' : shape.etcdOwnDisk ? ', etcd on its own disks' : ''})`,
    provides,
    async provision(ctx: ProvisionContext): Promise<ClusterTarget> {
      const { cluster, disks, origin } = await acquireCluster(shape, ctx.abort);
      // for the record (and the bench: what one fresh cluster per drill would cost)
      ctx.log(origin.created ? `cluster ${cluster.name} created for this run: ${origin.seconds.toFixed(1)}s (kind create + Ready)` : `cluster ${cluster.name}: shared with this run's other drills, or found`);
      return clusterTarget(cluster, { via: 'kind', cluster: cluster.name }, shape, opts, provides, disks, ctx, { via: 'docker' });
    },
    on: (named, access) => namedKindCluster(named, shape, opts, access),
    viaPods: (image) => kindClusterViaPods(shape, opts, image),
  };
}

/**
 * The same pooled kind cluster, its nodes reached through privileged pods
 * (the path every cluster that is not kind on this host takes), not docker
 * exec: kdrill's agent image, loaded on every kind node, unless `image` says otherwise.
 */
function kindClusterViaPods(shape: ClusterShape, opts: KindTargetOptions, image?: string): TargetProvider<ClusterTarget> {
  const provides = podAccessCapabilities(true);
  return {
    name: `kind cluster kdrill-${shape.name.replace(/^kdrill-/, '')} (${shape.controlPlanes}+${shape.workers}), nodes through privileged pods`,
    provides,
    async provision(ctx: ProvisionContext): Promise<ClusterTarget> {
      const { cluster, disks, origin } = await acquireCluster(shape, ctx.abort);
      ctx.log(origin.created ? `cluster ${cluster.name} created for this run: ${origin.seconds.toFixed(1)}s (kind create + Ready)` : `cluster ${cluster.name}: shared with this run's other drills, or found`);
      return clusterTarget(cluster, { via: 'kind', cluster: cluster.name }, shape, opts, provides, disks, ctx, { via: 'pod', image: image ?? (await ensureAgentImage()) });
    },
  };
}

/** What a kind cluster kdrill did not shape offers: no etcd disk of its own, so no disk throttle or slowfs. */
export const NAMED_KIND_CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>(['kube.api', 'node.fs', 'node.host', 'node.offline', 'etcd', 'etcd.static-pod']);

/**
 * What a cluster offers when its nodes are reached through privileged pods:
 * files and commands on every node while the API server is up — not what
 * needs the node containers on this host (their cgroups, /proc), not what must
 * be reverted with the API server down (node.offline: slow etcd, control plane
 * down, a rewritten etcd manifest), and etcd only where kubeadm's control
 * planes are nodes the API lists (its metrics, logs and certificates on them).
 */
export function podAccessCapabilities(kubeadmEtcd: boolean): ReadonlySet<Capability> {
  return new Set<Capability>(kubeadmEtcd ? ['kube.api', 'node.fs', 'etcd'] : ['kube.api', 'node.fs']);
}

/**
 * The drill's target on a cluster the user names by kubeconfig and context:
 * its API through that context (journal records name it so, for `kdrill
 * clean`); its nodes through docker when they are kind node containers on this
 * host, else (or when asked) through privileged pods; leased while the drill
 * runs when it is kind, never deleted. It must have at least the nodes the
 * drill's shape has.
 */
function namedKindCluster(named: NamedCluster, shape: ClusterShape, opts: KindTargetOptions, access: NodeAccessChoice = { via: named.kindName ? 'docker' : 'pod' }): TargetProvider<ClusterTarget> {
  const kindName = named.kindName;
  const viaPods = access.via === 'pod' || !kindName;
  const provides = viaPods ? podAccessCapabilities(!!kindName || (named.controlPlanes ?? 0) > 0) : NAMED_KIND_CAPABILITIES;
  return {
    name: `${kindName ? `kind cluster ${kindName}` : 'cluster'} (context ${named.context}${named.ours ? ', made by kdrill' : ''}${viaPods ? ', nodes through privileged pods' : ''})`,
    provides,
    async provision(ctx: ProvisionContext): Promise<ClusterTarget> {
      const cluster = new KindCluster(kindName ?? named.context, named.kubeconfig, named.context);
      const have = (await cluster.clients.core.listNode()).items.map((n) => (isControlPlane(n) ? 'control-plane' : 'worker'));
      const cp = have.filter((r) => r === 'control-plane').length;
      const wk = have.length - cp;
      if (cp < shape.controlPlanes || wk < shape.workers) {
        throw new KdrillError(`context ${named.context}: ${kindName ? `kind cluster ${kindName}` : 'the cluster'} has ${cp}+${wk} nodes, the drill needs at least ${shape.controlPlanes}+${shape.workers}`);
      }
      if (kindName) leaseCluster(kindName, runPurpose());
      try {
        ctx.log(`cluster ${kindName ?? named.context} (context ${named.context}, ${named.server}): named by the user${named.ours ? '' : ', not made by kdrill'}; it is left running`);
        // kdrill's agent runs the drills' workloads (and, on kind, the node-access pods); elsewhere the cluster pulls what it needs
        if (kindName) await cluster.loadImage(await ensureAgentImage());
        const image = access.via === 'pod' && access.image ? access.image : kindName ? await ensureAgentImage() : DEFAULT_NODE_IMAGE;
        const t = await clusterTarget(cluster, { via: 'kubeconfig', kubeconfig: named.kubeconfig, context: named.context }, shape, opts, provides, new Map(), ctx, viaPods ? { via: 'pod', image } : { via: 'docker' });
        return { ...t, teardown: async () => t.teardown().finally(() => kindName && releaseLease(kindName)) };
      } catch (e) {
        if (kindName) releaseLease(kindName);
        throw e;
      }
    },
  };
}

function isControlPlane(n: k8s.V1Node): boolean {
  return n.metadata?.labels?.['node-role.kubernetes.io/control-plane'] !== undefined;
}

/** A node's InternalIP as the API reports it. */
function internalIp(n: k8s.V1Node): string {
  return n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
}

/** A cluster target over a kind cluster: its nodes through docker, its API by `ref`, its kubeadm etcd. */
async function clusterTarget(
  cluster: KindCluster,
  ref: KubeRef,
  shape: ClusterShape,
  opts: KindTargetOptions,
  provides: ReadonlySet<Capability>,
  disks: ReadonlyMap<string, LoopDisk>,
  ctx: ProvisionContext,
  access: NodeAccessChoice,
): Promise<ClusterTarget> {
  const kube: KubeHandle = { name: cluster.name, ref, kubeconfigPath: cluster.kubeconfigPath, context: cluster.context, kc: cluster.kc, clients: cluster.clients };
  const nodes = new Map<string, ClusterNode>();
  if (access.via === 'docker') {
    for (const n of await cluster.nodes()) {
      if (n.role !== 'control-plane' && n.role !== 'worker') continue;
      const id = (await execa('docker', ['inspect', '--format', '{{.Id}}', n.name])).stdout.trim();
      const node = dockerNode({ via: 'docker', cluster: cluster.name, node: n.name, container: n.name });
      nodes.set(n.name, Object.assign(node, { role: n.role as ClusterNode['role'], ip: await nodeIp(n.name), containerId: id }));
    }
  } else {
    const listed = (await cluster.clients.core.listNode()).items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    const image = access.image ?? DEFAULT_NODE_IMAGE;
    ctx.log(`nodes through privileged pods (${image}): ${listed.map((n) => n.metadata?.name).join(', ')}`);
    const pods = await podNodes(kube, ctx.journal, listed.map((n) => n.metadata!.name!), { runId: ctx.runId, image, cluster: cluster.name, abort: ctx.abort });
    for (const n of listed) {
      const name = n.metadata!.name!;
      nodes.set(name, Object.assign(pods.get(name)!, { role: (isControlPlane(n) ? 'control-plane' : 'worker') as ClusterNode['role'], ip: internalIp(n) }));
    }
  }
  const cps = [...nodes.values()].filter((n) => n.role === 'control-plane');

  const rewritten: { entry: JournalEntry; node: ClusterNode; probe?: ExecProbe }[] = [];
  if (opts.etcdPod && access.via === 'pod') {
    throw new KdrillError(`${cluster.name}: rewriting etcd's static pod needs node access that does not go through the API server (etcd restarts under it)`);
  }
  if (opts.etcdPod) {
    for (const node of cps) {
      const original = await node.readFile(ETCD_MANIFEST);
      if (!original) throw new KdrillError(`${node.name} has no ${ETCD_MANIFEST}`);
      const pod = YAML.parse(original.content.toString('utf8')) as Record<string, unknown>;
      opts.etcdPod(pod);
      const before = (await etcdProcess(node))?.startTicks ?? 0;
      ctx.log(`${node.name}: ${opts.etcdPodChange ?? 'rewriting the etcd static pod'}`);
      const { entry } = await writeNodeFileChange(ctx.journal, node, ETCD_MANIFEST, YAML.stringify(pod));
      rewritten.push({ entry, node, probe: etcdExecLivenessProbe(pod) });
      await waitForNewEtcd(node, before, 120_000, ctx.abort);
    }
  }
  // a pooled cluster may still be settling from the previous drill (or from the rewrite above):
  // scheduler and controller-manager can sit in CrashLoopBackOff for up to 5 minutes
  await cluster.waitReady(nodes.size, 7 * 60_000, ctx.abort);

  const members = cps.map((node) => member(node, async () => disks.get(node.name)?.majorMinor ?? nodeDataDevice(node), !!shape.etcdSlowFs));
  // A rewritten exec liveness probe must pass on the healthy etcd: if it fails before any fault, the kubelet's
  // kills are the probe command's doing and a restart-loop drill would prove nothing (invalid).
  for (const r of rewritten) {
    if (!r.probe) continue;
    const p = await etcdProcess(r.node);
    if (!p) throw new KdrillError(`${r.node.name}: no etcd process to run its liveness probe in`);
    const res = await runExecProbe(p.pid, r.probe);
    if (!res.ok) {
      throw new KdrillError(`${r.node.name}: etcd's liveness probe fails on the healthy etcd, before any fault (${res.ms} ms: ${res.output.split('\n').pop()})`, {
        hint: "the kubelet would kill etcd whatever the fault does: fix the probe's command",
      });
    }
    ctx.log(`${r.node.name}: etcd's liveness probe passes on the healthy etcd (${res.ms} ms)`);
  }
  // client certificates for etcd, read once from the first control plane
  const pki = async (f: string) => (await cps[0]!.readFile(`/etc/kubernetes/pki/${f}`))?.content ?? Buffer.alloc(0);
  const certs = { rootCertificate: await pki('etcd/ca.crt'), certChain: await pki('apiserver-etcd-client.crt'), privateKey: await pki('apiserver-etcd-client.key') };
  const clients: Etcd3[] = [];
  const mk = (hosts: string[]) => {
    const c = new Etcd3({ hosts, credentials: certs, dialTimeout: 3000 });
    clients.push(c);
    return c;
  };
  let all: Etcd3 | undefined;
  const per = new Map<string, Etcd3>();
  return {
    kind: 'cluster',
    provides,
    kube,
    nodes,
    etcd: {
      members,
      client: () => (all ??= mk(members.map((m) => m.clientUrl()))),
      memberClient: (n: string) => {
        const m = members.find((x) => x.name === n);
        if (!m) throw new Error(`no etcd member ${n}`);
        let c = per.get(n);
        if (!c) per.set(n, (c = mk([m.clientUrl()])));
        return c;
      },
    },
    quiesce: flushHostDisk,
    describe: () => `${ref.via === 'kind' || access.via === 'docker' ? 'kind cluster ' : ''}${cluster.name}: ${cps.length} control plane(s) (etcd members ${members.map((m) => m.name).join(', ')}), ${nodes.size - cps.length} worker(s)${access.via === 'pod' ? ', nodes through privileged pods' : ''}`,
    async teardown() {
      for (const c of clients) c.close();
      // the cluster stays in the pool: put etcd's manifest back and let it settle for the next drill
      for (const r of rewritten) {
        const before = (await etcdProcess(r.node))?.startTicks ?? 0;
        await ctx.journal.revert(r.entry);
        await waitForNewEtcd(r.node, before, 120_000);
      }
      // cleanup is done when etcd runs its original manifest and the API answers; the rest of
      // kube-system settling (back-off) is waited for by the next drill's provisioning
      if (rewritten.length) await waitForApi(kube, 3 * 60_000);
    },
  };
}
