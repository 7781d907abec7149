import { defineScenario } from '../src/scenario.js';
import { etcdContainers } from '../src/targets/etcd-containers.js';
import { throttleDisk } from '../src/faults/throttle-disk.js';
import { detected } from '../src/expect/detected.js';
import { holds } from '../src/expect/holds.js';
import { recovers } from '../src/expect/recovers.js';
import { clientPutLatency, lateHeartbeat, leaderChanges, memberUnhealthy, walFsyncP99 } from '../src/signals/etcd-conditions.js';
import { anyOf } from '../src/signals/signal.js';
import { writeIntegrity } from '../src/probes/write-integrity.js';

export default defineScenario({
  id: 'etcd-slow-leader',
  title: "the etcd leader's disk at 800 ms fsync",
  incident:
    'A degraded EBS volume gave the etcd leader 800 ms write latency: every write waits for the leader, ' +
    'heartbeats go out late and the whole control plane slows down.',
  source: 'incidents/002_d0617d8c18bd7688.txt',
  target: etcdContainers(),
  steady: [memberUnhealthy()],
  fault: throttleDisk({ member: 'leader', fsync: '800ms' }),
  expect: [
    detected(walFsyncP99({ above: '100ms', on: 'faulty' })).within('30s'),
    detected(clientPutLatency({ above: '500ms', on: 'any' })).within('30s'),
    // The leader's raft loop waits on the slow fsync, so its heartbeats go out late. It says so in its log, unless
    // a heartbeat came so late (blkio throttling is steppy: 633-1582 ms per fsync, measured) that a follower's
    // election timeout (1 s) fired first and raft moved leadership away: then the log line does not always come
    // (1 run in 4 on 2026-11-24). Both are the late heartbeat, seen from either side.
    detected(
      anyOf("the slow leader's heartbeats went out late (its log, or the followers elected a new leader)", lateHeartbeat({ on: 'faulty' }), leaderChanges()),
    ).within('60s'),
    holds(writeIntegrity()).throughout(),
    recovers.within('60s'),
  ],
});
