import { defineScenario } from '../src/scenario.js';
import { kindCluster } from '../src/targets/kind-etcd.js';
import { SINGLE_CONTROL_PLANE_SLOWFS } from '../src/targets/shapes.js';
import { delayFsync } from '../src/faults/delay-fsync.js';
import { detected } from '../src/expect/detected.js';
import { holds } from '../src/expect/holds.js';
import { recovers } from '../src/expect/recovers.js';
import { memberUnhealthy, walFsyncP99 } from '../src/signals/etcd-conditions.js';
import { apiUnavailable, restarted } from '../src/signals/kube-conditions.js';
import { etcdLive } from '../src/probes/etcd-live.js';

export default defineScenario({
  id: 'etcd-liveness-fixed',
  title: "the same 6 s fsync under today's kubeadm etcd probes: etcd is left alone",
  incident:
    'The fix for incident 001: a liveness probe that asks whether etcd is alive, not whether a linearizable read ' +
    'finishes in time. kubeadm v1.34 writes httpGet /livez on the metrics port (timeoutSeconds 15, failureThreshold 8) ' +
    "plus a startupProbe on /readyz. Same cluster, same disk and same 6 s per fsync as the restart-loop drill, where the 2018 " +
    'probe kills etcd every 90 s: here the kubelet must not restart it.',
  source: 'incidents/001_22e58d6f0b883168.txt',
  target: kindCluster(SINGLE_CONTROL_PLANE_SLOWFS),
  steady: [memberUnhealthy(), apiUnavailable()],
  fault: delayFsync({ member: 'leader', fsync: '6s' }),
  expect: [
    detected(walFsyncP99({ above: '1s', on: 'faulty' })).within('60s'),
    holds(restarted('etcd')).throughout(),
    // /livez measured at ~10 s on this disk: slow, inside the probe's 15 s
    holds(etcdLive()).throughout(),
    // etcd stays up, but the API server crashes on etcd's 7 s request timeouts during the fault and sits in
    // CrashLoopBackOff afterwards: the kubelet's back-off grows toward its 5 min cap, then a boot (measured: the
    // API back 3m14s and 4m22s after the revert). The bound is the kubelet's, not etcd's.
    recovers.within('6m'),
  ],
  // twice the 2018 probe's 90 s from the first failed probe to the kill
  hold: '3m',
});
