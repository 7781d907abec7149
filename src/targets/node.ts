import type { CgroupController } from '../host/cgroups.js';

/**
 * A node of a Kubernetes cluster as faults, signals and probes reach it: run a
 * command, read and write its files (bytes, mode and owner kept), see its
 * processes, follow its logs. How (docker exec into a kind node container, a
 * privileged pod on any cluster) is the provider's business; journal records
 * keep the node's plain-data `ref`, so that `kdrill clean` in a fresh process
 * reaches the same node the same way.
 */
export type NodeRef =
  /** a kind node container on this host */
  | { via: 'docker'; cluster: string; node: string; container: string }
  /** any cluster: a short-lived privileged pod pinned to the node (host PID and mount namespaces) */
  | { via: 'pod'; cluster: string; node: string; kubeconfig: string; context: string; namespace: string; image: string };

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface NodeFile {
  content: Buffer;
  /** permission bits, e.g. 0o644 */
  mode: number;
  uid: number;
  gid: number;
}

export interface NodeProcess {
  pid: number;
  /** start time in clock ticks since boot: tells a restart from a pid reuse */
  startTicks: number;
  argv: string[];
  /** controller -> cgroup path (relative to the cgroup root), from /proc/PID/cgroup */
  cgroups: Record<string, string>;
  /** epoch ms the process started, by the node's clock */
  startedAtMs: number;
}

export interface NodeAccess {
  readonly ref: NodeRef;
  /** the Kubernetes node name */
  readonly name: string;
  /** Runs argv on the node (in its mount namespace). Never rejects on a non-zero exit unless `check`. */
  exec(argv: string[], opts?: { input?: string | Buffer; timeoutMs?: number; check?: boolean }): Promise<ExecResult>;
  /** The file's bytes, mode and owner; undefined when it does not exist. */
  readFile(path: string): Promise<NodeFile | undefined>;
  /** Writes atomically (temp file beside it, then rename), with the given mode and owner (default 0644 root). */
  writeFile(path: string, file: { content: Buffer | string; mode?: number; uid?: number; gid?: number }): Promise<void>;
  /** Removes a file; false when it was not there. */
  remove(path: string): Promise<boolean>;
  /** Moves a file (creating the target's directory); false when `from` was not there. */
  move(from: string, to: string): Promise<boolean>;
  /** Names in a directory (empty when it does not exist). */
  list(dir: string): Promise<string[]>;
  /** A directory tree as a tar archive (modes, owners, times kept); undefined when it does not exist. */
  archiveDir(dir: string): Promise<Buffer | undefined>;
  /** Replaces a directory tree with an archive from archiveDir (undefined: removes it). */
  restoreDir(dir: string, archive: Buffer | undefined): Promise<void>;
  /** Processes whose argv[0] basename is `command`, oldest first. */
  processes(command: string): Promise<NodeProcess[]>;
  /** Streams the lines a shell script prints on the node until the returned function is called. */
  follow(script: string, onLine: (line: string) => void): () => void;
  /** Whether the node can be reached at all (its container runs, its pod can be scheduled). */
  reachable(): Promise<boolean>;
  /** Nodes that are containers on this host: the node container's own cgroup for `controller` (memory caps, disk throttles). */
  hostCgroup?(controller: CgroupController): Promise<NodeCgroup>;
}

/** A node's own cgroup on this host (nodes that are containers here: capability node.host). */
export interface NodeCgroup {
  /** host path of the node container's cgroup directory for the controller */
  dir: string;
  version: 'v1' | 'v2';
}

/** A node of the cluster under drill: access plus what the cluster says it is. */
export interface ClusterNode extends NodeAccess {
  role: 'control-plane' | 'worker';
  /** InternalIP */
  ip: string;
  /** kind nodes: the node container's full docker id (its processes are found in the host's /proc by it) */
  containerId?: string;
}

export function describeNodeRef(r: NodeRef): string {
  return r.via === 'docker' ? r.container : `${r.cluster}/${r.node}`;
}
