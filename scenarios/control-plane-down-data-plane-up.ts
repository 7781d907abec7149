import {
  apiUnavailable,
  controlPlaneDown,
  defineScenario,
  detected,
  holds,
  kindCluster,
  processDown,
  recovers,
  serviceAnswers,
  SINGLE_CONTROL_PLANE,
  steadyState,
} from '../src/dsl.js';

export default defineScenario({
  id: 'control-plane-down-data-plane-up',
  title: 'etcd and the API server are gone; the pods behind a Service keep answering',
  incident:
    '"Even during times when two of the core components (scheduler and controller-manager) of Kubernetes were down, ' +
    'and the single most core one (apiserver) couldn\'t talk to its database, the pods in my deployments (and the ' +
    'services on those pods) kept running." The kubelet, kube-proxy and the CNI keep the data plane up on their own.',
  source: {
    title: 'Kubernetes, etcd and disk throughput',
    publisher: 'blog.bejarano.io',
    url: 'https://blog.bejarano.io/kubernetes-etcd-and-disk-throughput/',
  },
  target: kindCluster(SINGLE_CONTROL_PLANE),
  steady: steadyState.controlPlane('etcd', 'kube-apiserver'),
  fault: controlPlaneDown({ components: ['etcd', 'kube-apiserver'] }),
  expect: [
    detected(apiUnavailable()).within('30s'),
    detected(processDown('etcd')).within('60s'),
    holds(serviceAnswers()).throughout(),
    recovers.within('3m'),
  ],
  hold: '60s',
});
