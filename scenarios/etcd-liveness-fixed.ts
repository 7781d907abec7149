import {
  defineScenario,
  delayFsync,
  detected,
  etcdLive,
  holds,
  kindCluster,
  recovers,
  restarted,
  SINGLE_CONTROL_PLANE_SLOWFS,
  steadyState,
  walFsyncP99,
} from '../src/dsl.js';

export default defineScenario({
  id: 'etcd-liveness-fixed',
  title: "the same 6 s fsync under today's kubeadm etcd probes: etcd is left alone",
  incident:
    'The fix for incident 001: a liveness probe that asks whether etcd is alive, not whether a linearizable read ' +
    'finishes in time. kubeadm v1.34 writes httpGet /livez on the metrics port (timeoutSeconds 15, failureThreshold 8) ' +
    "plus a startupProbe on /readyz. Same cluster, same disk and same 6 s per fsync as the restart-loop drill, where the 2018 " +
    'probe kills etcd every 90 s: here the kubelet must not restart it.',
  source: {
    title: 'December 4 - NRE Labs Outage Post-Mortem',
    author: 'Matt Oswalt',
    publisher: 'keepingitclassless.net',
    url: 'https://keepingitclassless.net/2018/12/december-4---nre-labs-outage-post-mortem/',
  },
  target: kindCluster(SINGLE_CONTROL_PLANE_SLOWFS),
  steady: steadyState.controlPlane(),
  fault: delayFsync({ member: 'leader', fsync: '6s' }),
  expect: [
    detected(walFsyncP99({ above: '1s', on: 'faulty' })).within('60s'),
    holds(restarted('etcd')).throughout(),
    // today's question is "alive?" (/livez within the probe's 15 s), not "does a linearizable read finish?"
    holds(etcdLive()).throughout(),
    // etcd stays up, but the API server crashes on etcd's request timeouts during the fault and sits in
    // CrashLoopBackOff afterwards: the kubelet's back-off (cap 5 min) bounds the recovery, not etcd (README)
    recovers.within('6m'),
  ],
  // twice the 2018 probe's 90 s from the first failed probe to the kill
  hold: '3m',
});
