import { defineScenario } from '../src/scenario.js';
import { etcdContainers } from '../src/targets/etcd-containers.js';
import { killMember } from '../src/faults/kill-member.js';
import { detected } from '../src/expect/detected.js';
import { holds } from '../src/expect/holds.js';
import { recovers } from '../src/expect/recovers.js';
import { memberDown, memberUnhealthy } from '../src/signals/etcd-conditions.js';
import { writeIntegrity } from '../src/probes/write-integrity.js';

export default defineScenario({
  id: 'etcd-member-killed',
  title: 'an etcd member killed (-9) and restarted',
  incident:
    "The kubelet kept killing and restarting the control plane's etcd (a failing liveness probe): etcd served for a " +
    'couple of minutes, then died again. Each kill must be visible at once, and no acknowledged write may be lost across restarts.',
  source: 'incidents/001_22e58d6f0b883168.txt',
  target: etcdContainers(),
  steady: [memberUnhealthy()],
  fault: killMember({ member: 'follower' }),
  expect: [detected(memberDown({ on: 'faulty' })).within('5s'), holds(writeIntegrity()).throughout(), recovers.within('30s')],
});
