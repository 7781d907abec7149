/**
 * The SIGKILL harness's cases: for every kind of reversible change, a drill
 * that makes it, killed with SIGKILL at seeded instants of each phase, then
 * `kdrill clean`, then the real state compared with what it was. A unit test
 * (test/unit/chaos-coverage.test.ts) fails when a registered change kind has
 * no case here: a kind added later must bring one.
 */
export type KillPhase = 'provision' | 'inject' | 'verify' | 'observe' | 'revert';

export interface ChaosCase {
  name: string;
  /** the change kinds its drill makes */
  kinds: string[];
  /** where it runs: the integration tier's shared etcd containers, or a kind cluster of `shape` */
  tier: 'containers' | 'kind';
  /** containers: a child's fault on the shared members ('own' = the built-in drill makes its own containers); kind: a built-in drill id */
  drill: string;
  shape?: string;
  /** more `kdrill run` arguments (kind) */
  args?: string[];
  phases: KillPhase[];
}

export const CHAOS_CASES: ChaosCase[] = [
  // containers tier: the shared 3-member etcd, faults from a child process (run by the real runner)
  // the kind it makes is the host's: blkio-limit on cgroup v1 (these VMs), io-max on v2 (never run here)
  { name: 'throttle a member', kinds: ['blkio-limit', 'io-max'], tier: 'containers', drill: 'throttle', phases: ['inject', 'verify', 'observe', 'revert'] },
  { name: 'partition a member', kinds: ['docker-disconnect'], tier: 'containers', drill: 'partition', phases: ['inject', 'verify', 'observe', 'revert'] },
  { name: 'pause a member', kinds: ['docker-pause'], tier: 'containers', drill: 'pause', phases: ['inject', 'verify', 'observe', 'revert'] },
  { name: 'kill a member', kinds: ['docker-kill'], tier: 'containers', drill: 'kill', phases: ['inject', 'verify', 'observe', 'revert'] },
  { name: "a drill's own etcd containers", kinds: ['docker-container', 'docker-network'], tier: 'containers', drill: 'own', phases: ['provision', 'inject', 'observe', 'revert'] },
  // kind: real `kdrill run` processes on a cluster of the drill's shape
  { name: 'cni-leftover-config', kinds: ['node-dir', 'node-link', 'node-file', 'kube-object'], tier: 'kind', drill: 'cni-leftover-config', shape: 'drill-1cp2w', phases: ['inject', 'verify', 'observe', 'revert'] },
  // the same drill with its nodes reached through privileged pods: undone through a pod (the killed run's, or one made again for the undo)
  { name: 'cni-leftover-config through pods', kinds: ['node-dir', 'node-link', 'node-file', 'kube-object'], tier: 'kind', drill: 'cni-leftover-config', args: ['--node-access', 'pod'], shape: 'drill-1cp2w', phases: ['provision', 'inject', 'verify', 'revert'] },
  { name: 'pod-cidr-from-defaults', kinds: ['node-file', 'kube-object'], tier: 'kind', drill: 'pod-cidr-from-defaults', shape: 'drill-1cp2w', phases: ['inject', 'verify', 'observe', 'revert'] },
  { name: 'missing-permission', kinds: ['kube-object'], tier: 'kind', drill: 'missing-permission', shape: 'drill-1cp2w', phases: ['inject', 'verify', 'observe', 'revert'] },
  { name: 'duplicate-control-plane', kinds: ['node-file', 'node-dir', 'node-link', 'kube-object'], tier: 'kind', drill: 'duplicate-control-plane', shape: 'drill-1cp2w', phases: ['inject', 'verify', 'observe', 'revert'] },
  { name: 'memory-leak-no-limits', kinds: ['memory-limit', 'kube-object'], tier: 'kind', drill: 'memory-leak-no-limits', shape: 'drill-1cp2w', phases: ['inject', 'verify', 'observe', 'revert'] },
  { name: 'memory-leak-eviction-on', kinds: ['memory-limit', 'node-service', 'node-file', 'kube-object'], tier: 'kind', drill: 'memory-leak-eviction-on', shape: 'drill-1cp2w', phases: ['inject', 'verify', 'observe', 'revert'] },
  { name: 'control-plane-down-data-plane-up', kinds: ['node-file-move'], tier: 'kind', drill: 'control-plane-down-data-plane-up', shape: 'drill-1cp', phases: ['inject', 'verify', 'observe', 'revert'] },
  // a run that creates its cluster (and the etcd disk under it), killed while it does
  { name: 'a drill cluster being created', kinds: ['kind-cluster', 'loop-disk'], tier: 'kind', drill: 'etcd-slow-disk', shape: 'drill-1cp', phases: ['provision'] },
];

/** A seeded random source (mulberry32): a failure's seed replays its instants. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
