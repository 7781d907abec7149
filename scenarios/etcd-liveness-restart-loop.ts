import { defineScenario } from '../src/scenario.js';
import { kindCluster } from '../src/targets/kind-etcd.js';
import { SINGLE_CONTROL_PLANE_SLOWFS } from '../src/targets/shapes.js';
import { KUBEADM_2018_ETCD_LIVENESS, withKubeadm2018LivenessProbe } from '../src/targets/etcd-probes.js';
import { delayFsync } from '../src/faults/delay-fsync.js';
import { detected } from '../src/expect/detected.js';
import { holds } from '../src/expect/holds.js';
import { recovers } from '../src/expect/recovers.js';
import { memberUnhealthy } from '../src/signals/etcd-conditions.js';
import { apiUnavailable, killedByLivenessProbe, restarted } from '../src/signals/kube-conditions.js';
import { restartPeriod } from '../src/probes/restart-period.js';
import { etcdLive } from '../src/probes/etcd-live.js';
import { configMapIntegrity } from '../src/probes/configmap-integrity.js';

export default defineScenario({
  id: 'etcd-liveness-restart-loop',
  title: "kubeadm's 2018 etcd liveness probe kills a slow but live etcd again and again (every ~2 min in the postmortem, 90 s here)",
  incident:
    'A single-master kubeadm cluster: etcd and the API server restarted 183 times. etcd logged a normal start, ' +
    'served for about two minutes, then received SIGTERM from the kubelet. The static pod carried ' +
    '`etcdctl ... get foo` as its liveness probe with failureThreshold 8 and timeoutSeconds 15: 8 × 15 s = two minutes. ' +
    'etcd was not broken; the probe thought it was.',
  source: 'incidents/001_22e58d6f0b883168.txt',
  target: kindCluster(SINGLE_CONTROL_PLANE_SLOWFS, {
    etcdPod: withKubeadm2018LivenessProbe,
    etcdPodChange: 'etcd static pod gets the 2018 kubeadm liveness probe (etcdctl get foo, failureThreshold 8, timeoutSeconds 15)',
  }),
  steady: [memberUnhealthy(), apiUnavailable()],
  // The probe's `get foo` is a linearizable read: it waits for a WAL fsync and a backend commit, and etcdctl gives
  // up after its own 5 s. Measured behind kdrill-slowfs on a 1+1 kind cluster (etcd 3.6.5), probe reads and
  // straight puts (etcdctl, 30 s client budget) per fsync delay:
  //   3 s: the probe's read 3.8-4.1 s (passes; in a drill a third passed: one kill in 7 min), puts 5.1 s
  //   4 s: the probe fails (5 s), puts hit etcd's own 7 s request timeout; /livez 6.1 s
  //   5 s: the same; /livez 8.1 s
  //   6 s: every probe fails (0 of ~50): a kill every 89-91 s; /livez 10.1 s, inside today's 15 s probe
  // So whenever this probe fails for 8 periods in a row, etcd's writes are also past its own 7 s deadline: the
  // postmortem's "etcd was not broken" holds as *live* (what kubeadm's /livez probe asks today), not as
  // "acknowledging writes". A restarted etcd boots for about a minute on this disk before it answers again.
  fault: delayFsync({ member: 'leader', fsync: '6s' }),
  expect: [
    detected(killedByLivenessProbe('etcd')).within('4m'),
    detected(restarted('etcd')).within('4m'),
    // the postmortem's other count: the API server went down with etcd (CrashLoopBackOff, measured)
    detected(restarted('kube-apiserver')).within('5m'),
    // the postmortem multiplied failureThreshold by timeoutSeconds (8 × 15 s = 2 min); the kubelet counts periods:
    // 15 s initial delay + 7 × 10 s + the 8th probe's 5 s (etcdctl gives up before the 15 s timeout) = 90 s
    holds(restartPeriod({ component: 'etcd', probe: KUBEADM_2018_ETCD_LIVENESS })).throughout(),
    // every etcd the kubelet killed answered today's liveness question (/livez within 15 s) just before
    holds(etcdLive()).throughout(),
    holds(configMapIntegrity()).throughout(),
    // the API server crash-loops with etcd; after the revert the kubelet's back-off (cap 5 min) decides when it
    // comes back: measured 10.3 s, 40.8 s, 2m47s, 2m53s (and 4m22s in the fix's drill on the same disk)
    recovers.within('6m'),
  ],
  // the first kill comes ~2 min after the disk slows, then one every ~90 s: 6 min gives 2-3 periods to measure
  hold: '6m',
});
