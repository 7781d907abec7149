import {
  apiserverEtcdErrors,
  apiWriteLatency,
  defineScenario,
  detected,
  followingRestarts,
  holds,
  kindCluster,
  leaseRenewalFailed,
  recovers,
  restarted,
  serviceAnswers,
  SINGLE_CONTROL_PLANE,
  steadyState,
  throttleDisk,
  walFsyncP99,
} from '../src/dsl.js';

export default defineScenario({
  id: 'etcd-slow-disk',
  title: "etcd's data dir on a disk as slow as a USB 2.0 stick",
  incident:
    'A single-master kubeadm cluster had /var/lib/etcd on a thumb drive. The API server timed out talking to etcd, ' +
    'kube-scheduler and kube-controller-manager lost their leases and went into Error/CrashLoopBackOff, ' +
    'yet the pods behind Services kept answering. Moving /var/lib onto a real disk fixed it.',
  source: {
    title: 'Kubernetes, etcd and disk throughput',
    publisher: 'blog.bejarano.io',
    url: 'https://blog.bejarano.io/kubernetes-etcd-and-disk-throughput/',
  },
  target: kindCluster(SINGLE_CONTROL_PLANE),
  steady: steadyState.controlPlane('kube-scheduler', 'kube-controller-manager'),
  // a USB 2.0 stick under etcd's fdatasync: seconds, not milliseconds
  fault: followingRestarts(throttleDisk({ member: 'leader', fsync: '2s', tolerance: 0.5, calibrateFor: '150s' })),
  expect: [
    detected(walFsyncP99({ above: '100ms', on: 'faulty' })).within('60s'),
    detected(apiWriteLatency({ above: '1s' })).within('2m'),
    detected(apiserverEtcdErrors()).within('4m'),
    detected(leaseRenewalFailed('kube-scheduler')).within('4m'),
    detected(restarted('kube-scheduler')).within('5m'),
    detected(restarted('kube-controller-manager')).within('5m'),
    holds(serviceAnswers()).throughout(),
    recovers.within('4m'),
  ],
});
