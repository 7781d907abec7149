import {
  apiServes,
  configMapIntegrity,
  defineScenario,
  delayFsync,
  detected,
  holds,
  kindCluster,
  recovers,
  steadyState,
  THREE_CONTROL_PLANES,
  walFsyncP99,
} from '../src/dsl.js';

export default defineScenario({
  id: 'etcd-raft-stall-follower',
  title: "a follower's etcd disk at 800 ms fsync: the quorum carries on",
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
  // Not expected: etcd's "slow fdatasync" log. The WAL logs it only past 1 s (warnSyncDuration), so an exact
  // 800 ms disk may stay silent there: log-based alerting can miss this disk; the fsync histogram does not.
  fault: delayFsync({ member: 'follower', fsync: '800ms' }),
  expect: [
    detected(walFsyncP99({ above: '500ms', on: 'faulty' })).within('60s'),
    holds(apiServes({ maxOutage: '10s' })).throughout(),
    holds(configMapIntegrity()).throughout(),
    recovers.within('2m'),
  ],
  hold: '30s',
});
