import { defineScenario } from '../src/scenario.js';
import { etcdContainers } from '../src/targets/etcd-containers.js';
import { partitionMember } from '../src/faults/partition-member.js';
import { detected } from '../src/expect/detected.js';
import { holds } from '../src/expect/holds.js';
import { recovers } from '../src/expect/recovers.js';
import { leaderChanges, memberUnhealthy } from '../src/signals/etcd-conditions.js';
import { writeIntegrity } from '../src/probes/write-integrity.js';

export default defineScenario({
  id: 'etcd-leader-partitioned',
  title: 'the etcd leader cut off from its peers',
  incident:
    'The network between the etcd leader and its peers drops every packet. The two followers must elect a new ' +
    'leader within a few election timeouts and keep every acknowledged write; the old leader rejoins when the network heals.',
  source: 'MACHINE-FACTS.md (partition: leader isolated → 2 leader changes, max put 4.6 s)',
  target: etcdContainers(),
  steady: [memberUnhealthy()],
  fault: partitionMember({ member: 'leader' }),
  expect: [detected(leaderChanges({ on: 'others' })).within('10s'), holds(writeIntegrity()).throughout(), recovers.within('60s')],
});
