import {
  defineScenario,
  detected,
  etcdContainers,
  holds,
  killMember,
  memberDown,
  recovers,
  steadyState,
  writeIntegrity,
} from '../src/dsl.js';

export default defineScenario({
  id: 'etcd-member-killed',
  title: 'an etcd member killed (-9) and restarted',
  incident:
    "The kubelet kept killing and restarting the control plane's etcd (a failing liveness probe): etcd served for a " +
    'couple of minutes, then died again. Each kill must be visible at once, and no acknowledged write may be lost across restarts.',
  source: {
    title: 'December 4 - NRE Labs Outage Post-Mortem',
    author: 'Matt Oswalt',
    publisher: 'keepingitclassless.net',
    url: 'https://keepingitclassless.net/2018/12/december-4---nre-labs-outage-post-mortem/',
  },
  target: etcdContainers(),
  steady: steadyState.etcd(),
  fault: killMember({ member: 'follower' }),
  expect: [detected(memberDown({ on: 'faulty' })).within('5s'), holds(writeIntegrity()).throughout(), recovers.within('30s')],
});
