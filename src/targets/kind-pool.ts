import { execa } from 'execa';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import YAML from 'yaml';
import { Journal, writerAlive } from '../journal.js';
import { clusterUp, attachCluster, kindConfigPath, type KindCluster } from '../cluster/cluster.js';
import { clusterName, listKdrillClusters, nodeContainers } from '../cluster/kind.js';
import type { KindConfig, KindNodeConfig } from '../cluster/kind-config.js';
import { createLoopDisk, etcdDiskName, loopDiskPaths, type LoopDisk } from '../cluster/loop-disk.js';
import { ensureAgentImage } from '../image/index.js';
import { ensureSlowFs, slowFsActive, slowFsMounts } from '../cluster/slowfs.js';
import { KdrillError } from '../util/errors.js';
import { leaseCluster, releaseHeldLeases, releaseLease } from '../cluster/lease.js';
import { createLoopDiskChange } from '../changes/loop-disk.js';
import { createKindClusterChange } from '../changes/kind-cluster.js';
import { dockerNode } from './docker-node.js';

/**
 * A cluster shape drills can share. Scenarios that name the same shape run on
 * the same cluster (creating a kind cluster takes minutes on 2 cores); the
 * pool creates it once per process and deletes what it created at the end.
 */
export interface ClusterShape {
  /** kdrill-<name> */
  name: string;
  controlPlanes: number;
  workers: number;
  /** Each control plane's /var/lib/etcd on a loop-device disk of its own. */
  etcdOwnDisk?: boolean;
  /**
   * And seen through kdrill-slowfs, a FUSE layer whose fsync delay a drill
   * sets exactly (implies etcdOwnDisk). cgroup blkio throttles then act on the
   * layer's process, which does the disk I/O.
   */
  etcdSlowFs?: boolean;
  /**
   * The kubelets' log verbosity. At 2 the kubelet logs its probe failures and
   * why it kills a container ("Container etcd failed liveness probe, will be
   * restarted") in its journal, which a drill reads from the node: its Events
   * say the same, but they go through an API server the fault has taken away.
   */
  kubeletVerbosity?: number;
}

export interface PooledCluster {
  cluster: KindCluster;
  /** how this process got it: created (and how long kind create + Ready took) or an existing one reused */
  origin: { created: true; seconds: number } | { created: false };
  /** node container name -> the disk under its /var/lib/etcd */
  disks: Map<string, LoopDisk>;
}

const held = new Map<string, Promise<PooledCluster>>();
let journal: Journal | undefined;

function poolJournal(): Journal {
  journal ??= Journal.open(`pool-${Date.now().toString(36)}-${process.pid}`, 'kind clusters and disks created for drills');
  return journal;
}

/** The kind node name of control plane i (0-based). */
function controlPlaneNodeName(cluster: string, i: number): string {
  return `${cluster}-control-plane${i === 0 ? '' : i + 1}`;
}

function nodeOf(cluster: string, node: string) {
  return dockerNode({ via: 'docker', cluster, node, container: node });
}

/** Every control plane's /var/lib/etcd must be kdrill-slowfs, mounted and serving. */
async function requireSlowFs(name: string, controlPlanes: number, why: { what: string; hint: string }): Promise<void> {
  for (let i = 0; i < controlPlanes; i++) {
    const node = controlPlaneNodeName(name, i);
    if (!(await slowFsActive(nodeOf(name, node)))) {
      throw new KdrillError(`cluster ${name} ${why.what}: ${node}'s /var/lib/etcd is not behind kdrill-slowfs`, { hint: why.hint });
    }
  }
}

/**
 * Changes a run that died (SIGKILL, crash) left on this cluster and nobody
 * has undone yet: a drill on top of them would judge a cluster that is still
 * faulted. (The clusters and disks a dead run created are not among them: a
 * later run may take those over.)
 */
export function deadRunChangesOn(cluster: string): { runId: string; pid: number; count: number }[] {
  return Journal.list()
    .journals.filter((j) => !writerAlive(j.file))
    .map((j) => ({ j, n: j.pending().filter((e) => e.record.cluster === cluster && e.record.type !== 'kind-cluster' && e.record.type !== 'loop-disk').length }))
    .filter((x) => x.n > 0)
    .map(({ j, n }) => ({ runId: j.file.runId, pid: j.file.pid, count: n }));
}

async function provision(shape: ClusterShape, abort?: AbortSignal): Promise<PooledCluster> {
  const name = clusterName(shape.name);
  const disks = new Map<string, LoopDisk>();
  const exists = (await listKdrillClusters()).includes(name);
  const left = exists ? deadRunChangesOn(name) : [];
  if (left.length) {
    throw new KdrillError(
      `cluster ${name} still has ${left.reduce((n, x) => n + x.count, 0)} change(s) left by killed run(s) ${left.map((x) => `${x.runId} (pid ${x.pid})`).join(', ')}: a drill on it would judge a faulted cluster`,
      { hint: 'run `kdrill clean` first (it undoes them)' },
    );
  }
  if (shape.etcdOwnDisk || shape.etcdSlowFs) {
    for (let i = 0; i < shape.controlPlanes; i++) {
      const diskName = etcdDiskName(name, i);
      // a disk is journaled before it is made, so a killed run's disk is cleaned too (not a reused cluster's)
      const disk = exists ? await createLoopDisk(diskName) : (await createLoopDiskChange(poolJournal(), name, diskName)).result;
      disks.set(controlPlaneNodeName(name, i), disk);
    }
  }
  if (exists) {
    const have = await nodeContainers(name);
    const cp = have.filter((n) => n.role === 'control-plane').length;
    const wk = have.filter((n) => n.role === 'worker').length;
    // an existing cluster of another shape is refused, never used blind
    const recreate = `delete it (kdrill cluster down ${name.replace(/^kdrill-/, '')}); the drill creates it again`;
    if (cp !== shape.controlPlanes || wk !== shape.workers) {
      throw new KdrillError(`cluster ${name} exists with ${cp}+${wk} nodes, the drill wants ${shape.controlPlanes}+${shape.workers}`, { hint: recreate });
    }
    if (shape.etcdSlowFs) await requireSlowFs(name, cp, { what: "exists without it, which this drill's shape needs", hint: recreate });
    for (const n of shape.kubeletVerbosity === undefined ? [] : have) {
      const cfg = YAML.parse((await nodeOf(name, n.name).readFile('/var/lib/kubelet/config.yaml'))?.content.toString('utf8') ?? '{}') as { logging?: { verbosity?: number } } | null;
      const v = cfg?.logging?.verbosity ?? 0;
      if (v !== shape.kubeletVerbosity) {
        throw new KdrillError(`cluster ${name} exists with kubelet verbosity ${v} on ${n.name}; this drill's shape reads the kubelet's journal at ${shape.kubeletVerbosity}`, { hint: recreate });
      }
    }
    const cluster = await attachCluster(name);
    await cluster.loadImage(await ensureAgentImage()); // it may predate the current agent image
    await cluster.waitReady(cp + wk, 5 * 60_000, abort);
    return { cluster, disks, origin: { created: false } };
  }
  if (shape.etcdSlowFs && !existsSync('/dev/fuse')) {
    throw new KdrillError(`the ${shape.name} shape puts etcd behind kdrill-slowfs (FUSE), and this host has no /dev/fuse`, {
      hint: 'modprobe fuse (scripts/setup-host.sh tries it), or run the drill on a host with FUSE',
    });
  }
  const slowfs = shape.etcdSlowFs ? await ensureSlowFs() : undefined;
  const nodes: KindNodeConfig[] = [
    ...Array.from({ length: shape.controlPlanes }, (_, i): KindNodeConfig => {
      const disk = disks.get(controlPlaneNodeName(name, i));
      if (!disk) return { role: 'control-plane' };
      const dir = join(disk.mountpoint, 'etcd');
      return { role: 'control-plane', extraMounts: slowfs ? slowFsMounts(slowfs, dir) : [{ hostPath: dir, containerPath: '/var/lib/etcd' }] };
    }),
    ...Array.from({ length: shape.workers }, (): KindNodeConfig => ({ role: 'worker' })),
  ];
  for (const d of disks.values()) mkdirSync(join(d.mountpoint, 'etcd'), { recursive: true, mode: 0o700 });
  const base: KindConfig = { kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', nodes };
  if (shape.kubeletVerbosity !== undefined) base.kubeadmConfigPatches = [`kind: KubeletConfiguration\nlogging:\n  verbosity: ${shape.kubeletVerbosity}\n`];
  const cfgPath = kindConfigPath(name, 'shape');
  mkdirSync(dirname(cfgPath), { recursive: true, mode: 0o700 });
  writeFileSync(cfgPath, YAML.stringify(base), { mode: 0o600 });
  const { result } = await createKindClusterChange(poolJournal(), name, () =>
    clusterUp({ name, kindConfig: cfgPath, controlPlanes: shape.controlPlanes, workers: shape.workers, signal: abort }),
  );
  if (slowfs) await requireSlowFs(name, shape.controlPlanes, { what: 'was just created without it', hint: 'see journalctl -u kdrill-slowfs in the node' });
  return { cluster: result.cluster, disks, origin: { created: true, seconds: result.createSeconds } };
}

/** The cluster for a shape: this process's, an existing kdrill cluster of that name and shape, or a new one. */
export function acquireCluster(shape: ClusterShape, abort?: AbortSignal): Promise<PooledCluster> {
  const key = clusterName(shape.name);
  let p = held.get(key);
  if (!p) {
    try {
      leaseCluster(key, runPurpose());
    } catch (e) {
      return Promise.reject(e);
    }
    p = provision(shape, abort);
    held.set(key, p);
    p.catch(() => held.delete(key));
  }
  return p;
}

/**
 * Lends a cluster this process holds to other processes for the time of `fn`
 * (its lease given back, then taken again; the cluster stays this process's to
 * delete): how a test runs real `kdrill run` processes on the suite's cluster.
 */
export async function lendCluster<T>(shape: ClusterShape, fn: () => Promise<T>): Promise<T> {
  const key = clusterName(shape.name);
  if (!held.has(key)) throw new Error(`lendCluster: this process does not hold ${key}`);
  await held.get(key);
  releaseLease(key);
  try {
    return await fn();
  } finally {
    leaseCluster(key, runPurpose());
  }
}

/**
 * Deletes one shape's cluster (and its disks) if this process created it, and
 * gives back its lease: so a suite that is done with a shape does not keep its
 * nodes eating the CPU the next shape's drills are timed on.
 */
export async function releaseCluster(shape: ClusterShape): Promise<Error[]> {
  const key = clusterName(shape.name);
  const p = held.get(key);
  if (!p) return [];
  held.delete(key);
  await p.catch(() => undefined);
  const errors: Error[] = [];
  const disks = new Set(Array.from({ length: shape.controlPlanes }, (_, i) => loopDiskPaths(etcdDiskName(key, i)).file));
  const mine = (journal?.pending() ?? []).filter(
    (e) => (e.record.type === 'kind-cluster' && e.record.cluster === key) || (e.record.type === 'loop-disk' && disks.has(String((e.record as { file?: string }).file))),
  );
  try {
    await journal?.revertEntries(mine);
  } catch (err) {
    errors.push(err as Error);
  }
  releaseLease(key);
  return errors;
}

/** Deletes every cluster (and disk) this process created, unless `keep`. */
export async function releaseClusters(opts: { keep?: boolean } = {}): Promise<Error[]> {
  held.clear();
  try {
    if (!journal) return [];
    const j = journal;
    journal = undefined;
    if (opts.keep) {
      // kept clusters are the user's now (kdrill cluster down also removes their disks): forget the undo records
      j.discard();
      return [];
    }
    const { errors, deferred } = await j.revertAll();
    j.close();
    return [...errors, ...deferred.map((d) => new Error(d))];
  } finally {
    releaseHeldLeases();
  }
}

/** What the lease says this process is: the command line, short. */
export function runPurpose(): string {
  const args = process.argv.slice(1).map((a) => a.replace(/^.*\/(?=[^/]+$)/, ''));
  const s = args.join(' ');
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** The IP of a node container on kind's docker network. */
export async function nodeIp(container: string): Promise<string> {
  const r = await execa('docker', ['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', container]);
  const ip = r.stdout.trim().split(/\s+/)[0];
  if (!ip) throw new Error(`node ${container} has no IP address`);
  return ip;
}
