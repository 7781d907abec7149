import { defineScenario } from '../src/scenario.js';
import { kindCluster } from '../src/targets/kind-etcd.js';
import { THREE_CONTROL_PLANES } from '../src/targets/shapes.js';
import { delayFsync } from '../src/faults/delay-fsync.js';
import { detected } from '../src/expect/detected.js';
import { holds } from '../src/expect/holds.js';
import { recovers } from '../src/expect/recovers.js';
import { leaderChanges, memberUnhealthy, walFsyncP99 } from '../src/signals/etcd-conditions.js';
import { apiUnavailable } from '../src/signals/kube-conditions.js';
import { configMapIntegrity } from '../src/probes/configmap-integrity.js';

export default defineScenario({
  id: 'etcd-raft-stall-leader-past-election',
  title: "the etcd leader's fsync past the 1 s election timeout: the leader steps down",
  incident:
    'A degraded EBS volume gave etcd 800 ms write latency. Every write waits for a quorum to fsync its WAL, so one ' +
    'slow disk can stall the whole cluster: heartbeats go out late, leaders step down, the API slows down. ' +
    'Replayed at exactly 800 ms (etcd-raft-stall-leader), no leader stepped down: that is under etcd\'s 1 s election ' +
    'timeout. Leaders step down once the stall outlasts it, which this drill does.',
  source: 'incidents/002_d0617d8c18bd7688.txt',
  target: kindCluster(THREE_CONTROL_PLANES),
  steady: [memberUnhealthy(), apiUnavailable()],
  // 1.5 s per fsync, past etcd's 1 s election timeout (kubeadm keeps etcd's defaults: 100 ms heartbeat,
  // 1000 ms election): the followers stop hearing from the leader long enough to elect another. No "late heartbeat"
  // is expected: the old leader has stepped down before it would log one (measured: leader change after 1.8 s).
  fault: delayFsync({ member: 'leader', fsync: '1500ms' }),
  expect: [
    detected(walFsyncP99({ above: '1s', on: 'faulty' })).within('60s'),
    detected(leaderChanges()).within('60s'),
    holds(configMapIntegrity()).throughout(),
    recovers.within('2m'),
  ],
  hold: '30s',
});
