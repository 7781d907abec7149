import {
  anyOf,
  clientPutLatency,
  defineScenario,
  detected,
  etcdContainers,
  holds,
  lateHeartbeat,
  leaderChanges,
  recovers,
  steadyState,
  throttleDisk,
  walFsyncP99,
  writeIntegrity,
} from '../src/dsl.js';

export default defineScenario({
  id: 'etcd-slow-leader',
  title: "the etcd leader's disk at 800 ms fsync",
  incident:
    'A degraded EBS volume gave the etcd leader 800 ms write latency: every write waits for the leader, ' +
    'heartbeats go out late and the whole control plane slows down.',
  source: {
    title: 'etcd Disk Latency — How 800ms Killed the Kubernetes Cluster',
    publisher: 'TheCodeForge',
    url: 'https://thecodeforge.io/devops/introduction-kubernetes/',
  },
  target: etcdContainers(),
  steady: steadyState.etcd(),
  fault: throttleDisk({ member: 'leader', fsync: '800ms' }),
  expect: [
    detected(walFsyncP99({ above: '100ms', on: 'faulty' })).within('30s'),
    detected(clientPutLatency({ above: '500ms', on: 'any' })).within('30s'),
    // The leader's raft loop waits on the slow fsync, so its heartbeats go out late. It says so in its log, unless
    // a heartbeat came so late (blkio throttling is steppy: some fsyncs pass 1 s) that a follower's election
    // timeout fired first and raft moved leadership away: then the log line does not always come. Both are the
    // late heartbeat, seen from either side.
    detected(
      anyOf("the slow leader's heartbeats went out late (its log, or the followers elected a new leader)", lateHeartbeat({ on: 'faulty' }), leaderChanges()),
    ).within('60s'),
    holds(writeIntegrity()).throughout(),
    recovers.within('60s'),
  ],
});
