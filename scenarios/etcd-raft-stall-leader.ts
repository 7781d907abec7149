import {
  apiServes,
  apiWriteLatency,
  configMapIntegrity,
  defineScenario,
  delayFsync,
  detected,
  holds,
  kindCluster,
  lateHeartbeat,
  recovers,
  slowApply,
  steadyState,
  THREE_CONTROL_PLANES,
  walFsyncP99,
} from '../src/dsl.js';

export default defineScenario({
  id: 'etcd-raft-stall-leader',
  title: "the etcd leader's disk at 800 ms fsync: raft stalls, heartbeats go out late",
  incident:
    'A degraded EBS volume gave etcd 800 ms write latency. Every write waits for a quorum to fsync its WAL, so one ' +
    'slow disk can stall the whole cluster: heartbeats go out late, leaders step down, the API slows down. ' +
    'Run after its sibling: first a follower is slowed, then the leader (kdrill run etcd-raft-stall-follower etcd-raft-stall-leader).',
  source: {
    title: 'etcd Disk Latency — How 800ms Killed the Kubernetes Cluster',
    publisher: 'TheCodeForge',
    url: 'https://thecodeforge.io/devops/introduction-kubernetes/',
  },
  target: kindCluster(THREE_CONTROL_PLANES),
  steady: steadyState.controlPlane(),
  // exact: each control plane's /var/lib/etcd is behind kdrill-slowfs, which sleeps 800 ms in every fsync.
  // No leader change is asserted: 800 ms is under etcd's 1 s election timeout, and an exact 800 ms stall
  // changes no leader (README). Stepping down needs a stall past it: etcd-raft-stall-leader-past-election.
  fault: delayFsync({ member: 'leader', fsync: '800ms' }),
  expect: [
    detected(walFsyncP99({ above: '500ms', on: 'faulty' })).within('60s'),
    detected(lateHeartbeat({ on: 'faulty' })).within('60s'),
    detected(slowApply({ on: 'any', above: '500ms' })).within('60s'),
    detected(apiWriteLatency({ above: '500ms' })).within('90s'),
    // reads stall for seconds at a time, but the API never goes away for good
    holds(apiServes({ maxOutage: '30s' })).throughout(),
    holds(configMapIntegrity()).throughout(),
    recovers.within('2m'),
  ],
  hold: '30s',
});
