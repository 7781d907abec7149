import { defineScenario } from '../src/scenario.js';
import { kindCluster } from '../src/targets/kind-etcd.js';
import { SINGLE_CONTROL_PLANE } from '../src/targets/shapes.js';
import { controlPlaneDown } from '../src/faults/control-plane-down.js';
import { detected } from '../src/expect/detected.js';
import { holds } from '../src/expect/holds.js';
import { recovers } from '../src/expect/recovers.js';
import { memberUnhealthy } from '../src/signals/etcd-conditions.js';
import { apiUnavailable, processDown } from '../src/signals/kube-conditions.js';
import { serviceAnswers } from '../src/probes/service-answers.js';

export default defineScenario({
  id: 'control-plane-down-data-plane-up',
  title: 'etcd and the API server are gone; the pods behind a Service keep answering',
  incident:
    '"Even during times when two of the core components (scheduler and controller-manager) of Kubernetes were down, ' +
    'and the single most core one (apiserver) couldn\'t talk to its database, the pods in my deployments (and the ' +
    'services on those pods) kept running." The kubelet, kube-proxy and the CNI keep the data plane up on their own.',
  source: 'incidents/000_4d57ae9ca105f1b3.txt',
  target: kindCluster(SINGLE_CONTROL_PLANE),
  steady: [memberUnhealthy(), apiUnavailable(), processDown('etcd'), processDown('kube-apiserver')],
  fault: controlPlaneDown({ components: ['etcd', 'kube-apiserver'] }),
  expect: [
    detected(apiUnavailable()).within('30s'),
    detected(processDown('etcd')).within('60s'),
    holds(serviceAnswers()).throughout(),
    recovers.within('3m'),
  ],
  hold: '60s',
});
