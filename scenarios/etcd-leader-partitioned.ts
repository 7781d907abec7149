import {
  defineScenario,
  detected,
  etcdContainers,
  holds,
  leaderChanges,
  partitionMember,
  recovers,
  steadyState,
  writeIntegrity,
} from '../src/dsl.js';

export default defineScenario({
  id: 'etcd-leader-partitioned',
  title: 'the etcd leader cut off from its peers',
  incident:
    'The network between the etcd leader and its peers drops every packet. The two followers must elect a new ' +
    'leader within a few election timeouts and keep every acknowledged write; the old leader rejoins when the network heals.',
  target: etcdContainers(),
  steady: steadyState.etcd(),
  fault: partitionMember({ member: 'leader' }),
  expect: [detected(leaderChanges({ on: 'others' })).within('10s'), holds(writeIntegrity()).throughout(), recovers.within('60s')],
});
