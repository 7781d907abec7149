import { defineScenario } from '../src/scenario.js';
import { kindCluster } from '../src/targets/kind-etcd.js';
import { SINGLE_CONTROL_PLANE } from '../src/targets/shapes.js';
import { throttleDisk } from '../src/faults/throttle-disk.js';
import { followingRestarts } from '../src/faults/follow-restarts.js';
import { detected } from '../src/expect/detected.js';
import { holds } from '../src/expect/holds.js';
import { recovers } from '../src/expect/recovers.js';
import { memberUnhealthy, walFsyncP99 } from '../src/signals/etcd-conditions.js';
import { apiUnavailable, apiWriteLatency, apiserverEtcdErrors, leaseRenewalFailed, processDown, restarted } from '../src/signals/kube-conditions.js';
import { serviceAnswers } from '../src/probes/service-answers.js';

export default defineScenario({
  id: 'etcd-slow-disk',
  title: "etcd's data dir on a disk as slow as a USB 2.0 stick",
  incident:
    'A single-master kubeadm cluster had /var/lib/etcd on a thumb drive. The API server timed out talking to etcd, ' +
    'kube-scheduler and kube-controller-manager lost their leases and went into Error/CrashLoopBackOff, ' +
    'yet the pods behind Services kept answering. Moving /var/lib onto a real disk fixed it.',
  source: 'incidents/000_4d57ae9ca105f1b3.txt',
  target: kindCluster(SINGLE_CONTROL_PLANE),
  steady: [memberUnhealthy(), apiUnavailable(), processDown('kube-scheduler'), processDown('kube-controller-manager')],
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
