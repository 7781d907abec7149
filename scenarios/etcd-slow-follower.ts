import {
  backendCommitP99,
  clientPutLatency,
  defineScenario,
  detected,
  etcdContainers,
  holds,
  recovers,
  steadyState,
  throttleDisk,
  walFsyncP99,
  writeIntegrity,
} from '../src/dsl.js';

export default defineScenario({
  id: 'etcd-slow-follower',
  title: "one etcd follower's disk at 800 ms fsync",
  incident:
    'A degraded EBS volume gave an etcd member 800 ms write latency. The member stays in the cluster; ' +
    'clients talking to it stall while the quorum (leader + the healthy follower) keeps committing.',
  source: {
    title: 'etcd Disk Latency — How 800ms Killed the Kubernetes Cluster',
    publisher: 'TheCodeForge',
    url: 'https://thecodeforge.io/devops/introduction-kubernetes/',
  },
  target: etcdContainers(),
  steady: steadyState.etcd(),
  fault: throttleDisk({ member: 'follower', fsync: '800ms' }),
  expect: [
    detected(walFsyncP99({ above: '100ms', on: 'faulty' })).within('30s'),
    detected(backendCommitP99({ above: '100ms', on: 'faulty' })).within('30s'),
    detected(clientPutLatency({ above: '500ms', on: 'faulty' })).within('30s'),
    holds(writeIntegrity()).throughout(),
    recovers.within('60s'),
  ],
});
