import {
  configMapIntegrity,
  defineScenario,
  delayFsync,
  detected,
  holds,
  kindCluster,
  leaderChanges,
  recovers,
  steadyState,
  THREE_CONTROL_PLANES,
  walFsyncP99,
} from '../src/dsl.js';

export default defineScenario({
  id: 'etcd-raft-stall-leader-past-election',
  title: "the etcd leader's fsync past the 1 s election timeout: the leader steps down",
  incident:
    'A degraded EBS volume gave etcd 800 ms write latency. Every write waits for a quorum to fsync its WAL, so one ' +
    'slow disk can stall the whole cluster: heartbeats go out late, leaders step down, the API slows down. ' +
    'Replayed at exactly 800 ms (etcd-raft-stall-leader), no leader stepped down: that is under etcd\'s 1 s election ' +
    'timeout. Leaders step down once the stall outlasts it, which this drill does.',
  source: {
    title: 'etcd Disk Latency — How 800ms Killed the Kubernetes Cluster',
    publisher: 'TheCodeForge',
    url: 'https://thecodeforge.io/devops/introduction-kubernetes/',
  },
  target: kindCluster(THREE_CONTROL_PLANES),
  steady: steadyState.controlPlane(),
  // 1.5 s per fsync, past etcd's 1 s election timeout (kubeadm keeps etcd's defaults: 100 ms heartbeat,
  // 1000 ms election): the followers stop hearing from the leader long enough to elect another. No "late heartbeat"
  // is expected: the old leader steps down before it would log one.
  fault: delayFsync({ member: 'leader', fsync: '1500ms' }),
  expect: [
    detected(walFsyncP99({ above: '1s', on: 'faulty' })).within('60s'),
    detected(leaderChanges()).within('60s'),
    holds(configMapIntegrity()).throughout(),
    recovers.within('2m'),
  ],
  hold: '30s',
});
