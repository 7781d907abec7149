import { defineScenario } from '../src/scenario.js';
import { kindCluster } from '../src/targets/kind-etcd.js';
import { SINGLE_CONTROL_PLANE } from '../src/targets/shapes.js';
import { throttleDisk } from '../src/faults/throttle-disk.js';
import { followingRestarts } from '../src/faults/follow-restarts.js';
import { detected } from '../src/expect/detected.js';
import { holds } from '../src/expect/holds.js';
import { recovers } from '../src/expect/recovers.js';
import { memberUnhealthy, walFsyncP99 } from '../src/signals/etcd-conditions.js';
import { apiUnavailable, restarted } from '../src/signals/kube-conditions.js';

export default defineScenario({
  id: 'etcd-liveness-fixed',
  title: "a slow disk under today's kubeadm etcd probes: etcd is left alone",
  incident:
    'The fix for incident 001: a liveness probe that asks whether etcd is alive, not whether a linearizable read ' +
    'finishes in time. kubeadm v1.34 writes httpGet /livez on the metrics port plus a startupProbe. Under a ' +
    'slow disk (here ~1.5 s fsync; the loop drill uses ~4 s, see its notes), the kubelet must not restart it.',
  source: 'incidents/001_22e58d6f0b883168.txt',
  target: kindCluster(SINGLE_CONTROL_PLANE),
  steady: [memberUnhealthy(), apiUnavailable()],
  fault: followingRestarts(throttleDisk({ member: 'leader', fsync: '2s', tolerance: 0.5, calibrateFor: '150s' })),
  expect: [
    detected(walFsyncP99({ above: '100ms', on: 'faulty' })).within('60s'),
    holds(restarted('etcd')).throughout(),
    recovers.within('4m'),
  ],
  // longer than the 2018 probe needs to kill etcd (15 s + 8 failed probes ≈ 95-135 s)
  hold: '3m',
});
