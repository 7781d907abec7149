import type { Journal } from '../journal.js';
import type { KubeHandle } from './kube-handle.js';
import type { ClusterNode } from './node.js';
import type { EtcdCapability } from './etcd-target.js';
import { KdrillError } from '../util/errors.js';

/**
 * What a target can do for a fault, a signal or a probe. A scenario needs the
 * union of what its parts declare; a provider says what its targets provide,
 * before anything is provisioned, so that a scenario the target cannot serve
 * is refused when the catalog loads (like etcd robustness's `Available()`),
 * not discovered at inject time.
 */
export type Capability =
  /** Kubernetes API clients (client-node) */
  | 'kube.api'
  /** read, write, move, remove files on every node; run commands there */
  | 'node.fs'
  /** the nodes are containers on this host: their processes in the host's /proc, their cgroups, docker */
  | 'node.host'
  /** node changes are reverted without the API server (docker exec): faults that stop the API server need it */
  | 'node.offline'
  /** etcd members: /metrics, logs, clients */
  | 'etcd'
  /** members are docker containers kdrill made: kill, pause, partition them */
  | 'etcd.containers'
  /** each member's data dir is behind kdrill-slowfs: an exact fsync delay */
  | 'etcd.slowfs'
  /** etcd runs as a kubeadm static pod whose manifest a drill may rewrite */
  | 'etcd.static-pod'
  /** the cgroup charged for a member's disk I/O can be throttled from this host (blkio on v1, io.max on v2) */
  | 'etcd.disk-throttle';

export const CAPABILITY_WORDS: Record<Capability, string> = {
  'kube.api': 'the Kubernetes API',
  'node.fs': "the nodes' file systems",
  'node.host': 'nodes that are containers on this host (their /proc and cgroups)',
  'node.offline': 'node access that does not go through the API server',
  etcd: 'etcd members',
  'etcd.containers': 'etcd members in containers kdrill made',
  'etcd.slowfs': 'etcd data dirs behind kdrill-slowfs',
  'etcd.static-pod': "etcd's kubeadm static pod manifest",
  'etcd.disk-throttle': "a disk throttle on etcd's own cgroup",
};

/** Something that declares what it needs from its target (a fault, a signal source, a probe). */
export interface Needs {
  /** What this needs from the target; checked against the provider when the scenario is defined. */
  needs: readonly Capability[];
}

/** What a provider gets to build a target: the run's journal (every creation is journaled first) and a logger. */
export interface ProvisionContext {
  runId: string;
  journal: Journal;
  log: (msg: string) => void;
  abort: AbortSignal;
}

/**
 * A provisioned system under drill. Its parts are optional capabilities: a
 * Kubernetes cluster has API clients and nodes (and etcd, when its control
 * plane is kubeadm's); etcd in containers is etcd only.
 */
export interface Target {
  kind: string;
  provides: ReadonlySet<Capability>;
  describe(): string;
  /** Releases what the provider made (containers are journaled, so this is idempotent with `kdrill clean`). */
  teardown(): Promise<void>;
  /**
   * Lets what the provider itself stirred up settle before the baseline (a
   * local provider flushes the host's dirty pages: a node image just built
   * leaves about a gigabyte to write back, which slows every fsync). Says what it did.
   */
  quiesce?(abort: AbortSignal): Promise<string>;
  kube?: KubeHandle;
  /** node name -> node */
  nodes?: ReadonlyMap<string, ClusterNode>;
  etcd?: EtcdCapability;
}

/**
 * A cluster the user names (`kdrill run --kubeconfig F --context C`): its API
 * by that context, and, when its nodes are kind node containers on this host,
 * the kind cluster they belong to.
 */
export interface NamedCluster {
  /** absolute path of the kubeconfig */
  kubeconfig: string;
  context: string;
  server: string;
  /** the kind cluster whose node containers are this cluster's nodes (same names, same addresses) */
  kindName?: string;
  /** nodes that are not kind node containers on this host */
  otherNodes: string[];
  /** nodes the API lists as control planes (kubeadm-like: etcd a static pod there); none on a managed cluster */
  controlPlanes?: number;
  /** made by this machine's kdrill (its marker, both halves) */
  ours: boolean;
}

/** How nodes are reached: docker exec into kind node containers on this host, or a privileged pod per node (any cluster). */
export type NodeAccessChoice = { via: 'docker' } | { via: 'pod'; image?: string };

/**
 * How a scenario gets its target. The runner knows nothing else about it:
 * etcd in testcontainers is one provider, a kind cluster from the pool
 * another, an existing cluster a third.
 */
export interface TargetProvider<T extends Target = Target> {
  name: string;
  /** What every target of this provider offers (known before provisioning). */
  provides: ReadonlySet<Capability>;
  provision(ctx: ProvisionContext): Promise<T>;
  /** The same target on a cluster the user names; absent where the provider only serves what it makes (etcd in containers). */
  on?(cluster: NamedCluster, access?: NodeAccessChoice): TargetProvider<T>;
  /** The same target with its nodes reached through privileged pods (`kdrill run --node-access pod`), where the provider can. */
  viaPods?(image?: string): TargetProvider<T>;
}

/** The capabilities `needs` asks for that `provides` lacks. */
export function missingCapabilities(needs: Iterable<Capability>, provides: ReadonlySet<Capability>): Capability[] {
  return [...new Set(needs)].filter((c) => !provides.has(c));
}

function lacking(t: Target, what: Capability): never {
  throw new KdrillError(`target ${t.describe()} has no ${CAPABILITY_WORDS[what]} (${what})`, {
    hint: 'the scenario catalog should have refused this scenario: declare the capability in the fault, signal or probe that uses it',
  });
}

/** The target's Kubernetes API, or a clear error. */
export function kubeOf(t: Target): KubeHandle {
  return t.kube ?? lacking(t, 'kube.api');
}

/** The target's nodes, or a clear error. */
export function nodesOf(t: Target): ReadonlyMap<string, ClusterNode> {
  return t.nodes ?? lacking(t, 'node.fs');
}

/** The target's etcd, or a clear error. */
export function etcdOf(t: Target): EtcdCapability {
  return t.etcd ?? lacking(t, 'etcd');
}

/** Nodes with a role (control-plane or worker), in name order. */
export function nodesWithRole(t: Target, role: ClusterNode['role']): ClusterNode[] {
  return [...nodesOf(t).values()].filter((n) => n.role === role);
}

/** A provider for a target someone else owns: nothing is created, teardown leaves it running. */
export function existing<T extends Target>(target: T): TargetProvider<T> {
  return {
    name: `existing ${target.kind}`,
    provides: target.provides,
    provision: async () => ({ ...target, teardown: async () => undefined }) as T,
  };
}
