import { defineScenario } from '../src/scenario.js';
import { etcdContainers } from '../src/targets/etcd-containers.js';
import { throttleDisk } from '../src/faults/throttle-disk.js';
import { detected } from '../src/expect/detected.js';
import { holds } from '../src/expect/holds.js';
import { recovers } from '../src/expect/recovers.js';
import { backendCommitP99, clientPutLatency, memberUnhealthy, walFsyncP99 } from '../src/signals/etcd-conditions.js';
import { writeIntegrity } from '../src/probes/write-integrity.js';

export default defineScenario({
  id: 'etcd-slow-follower',
  title: "one etcd follower's disk at 800 ms fsync",
  incident:
    'A degraded EBS volume gave an etcd member 800 ms write latency. The member stays in the cluster; ' +
    'clients talking to it stall while the quorum (leader + the healthy follower) keeps committing.',
  source: 'incidents/002_d0617d8c18bd7688.txt',
  target: etcdContainers(),
  steady: [memberUnhealthy()],
  fault: throttleDisk({ member: 'follower', fsync: '800ms' }),
  expect: [
    detected(walFsyncP99({ above: '100ms', on: 'faulty' })).within('30s'),
    detected(backendCommitP99({ above: '100ms', on: 'faulty' })).within('30s'),
    detected(clientPutLatency({ above: '500ms', on: 'faulty' })).within('30s'),
    holds(writeIntegrity()).throughout(),
    recovers.within('60s'),
  ],
});
