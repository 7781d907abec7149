/**
 * What a scenario imports — kdrill's drills and a user's own drill files
 * alike: one module, the words a postmortem uses. The machinery lives in the
 * modules re-exported here.
 */
export { defineScenario, type Citation, type Scenario, type ScenarioSpec } from './scenario.js';

// targets: where the drill runs
export { kindCluster, type ClusterTarget } from './targets/kind-cluster.js';
export { etcdContainers } from './targets/etcd-containers.js';
export { existing, type Target, type TargetProvider, type Capability } from './targets/target.js';
export { ONE_CONTROL_PLANE_TWO_WORKERS, SINGLE_CONTROL_PLANE, SINGLE_CONTROL_PLANE_SLOWFS, THREE_CONTROL_PLANES } from './targets/shapes.js';
export type { ClusterShape } from './targets/kind-pool.js';
export { KUBEADM_2018_ETCD_LIVENESS, withKubeadm2018LivenessProbe } from './targets/etcd-probes.js';

// faults: what goes wrong
export { throttleDisk } from './faults/throttle-disk.js';
export { followingRestarts } from './faults/follow-restarts.js';
export { delayFsync } from './faults/delay-fsync.js';
export { controlPlaneDown } from './faults/control-plane-down.js';
export { killMember } from './faults/kill-member.js';
export { pauseMember } from './faults/pause-member.js';
export { partitionMember } from './faults/partition-member.js';
export { cniLeftoverConfig, removeCniConfig } from './faults/cni-configs.js';
export { podCidrFromDefaults } from './faults/pod-cidr-defaults.js';
export { removeRbacPermission, restartApiServer } from './faults/rbac.js';
export { duplicateControlPlane, secondCni, scaleDaemonSetToZero, removeDuplicateControlPlane, SECOND_CNI } from './faults/duplicate-control-plane.js';
export { together } from './faults/together.js';
export { memoryLeak, type MemoryLeakOptions } from './faults/memory-leak.js';
export type { Fault, Injection } from './faults/fault.js';

// signals: what the cluster shows
export { anyOf, type Condition } from './signals/signal.js';
export { steadyState } from './signals/steady.js';
export {
  walFsyncP99,
  backendCommitP99,
  clientPutLatency,
  leaderChanges,
  noLeader,
  memberUnhealthy,
  memberDown,
  logLine,
  slowApply,
  slowFdatasync,
  lateHeartbeat,
} from './signals/etcd-conditions.js';
export {
  restarted,
  processDown,
  apiUnavailable,
  apiWriteLatency,
  kubeEvent,
  killedByLivenessProbe,
  componentLog,
  leaseRenewalFailed,
  apiserverEtcdErrors,
  type Component,
} from './signals/kube-conditions.js';

export {
  podIpOutsideNodeCidr,
  multipleCniConfigs,
  newPodsCannotReachPeers,
  newPodsCannotReachService,
  newPodsGetWrongCidr,
  newPodsDoNotStart,
  newPodsReachPeers,
  duplicatePodIps,
} from './signals/net-conditions.js';

export { podCidrDisagreement, reconciliationStalled } from './signals/control-conditions.js';
export { permissionMissing, permissionGranted, controllerForbidden } from './signals/rbac.js';
export { duplicateControlPlaneRunning, leaderChanged } from './signals/control-plane-copies.js';
export { nodeMemoryNearCap, majorFaultSpike, kernelOomKill, nodeNotReady, nodeMemoryPressure, containerOomKilled, podEvicted, podsDisrupted } from './signals/memory-conditions.js';

// probes: what must hold throughout
export { serviceAnswers } from './probes/service-answers.js';
export { apiServes } from './probes/api-serves.js';
export { configMapIntegrity } from './probes/configmap-integrity.js';
export { writeIntegrity } from './probes/write-integrity.js';
export { restartPeriod } from './probes/restart-period.js';
export { etcdLive } from './probes/etcd-live.js';

// expectations
export { detected } from './expect/detected.js';
export { holds } from './expect/holds.js';
export { recovers } from './expect/recovers.js';
