import {
  componentLog,
  defineScenario,
  detected,
  holds,
  kindCluster,
  newPodsCannotReachService,
  ONE_CONTROL_PLANE_TWO_WORKERS,
  podCidrDisagreement,
  podCidrFromDefaults,
  reconciliationStalled,
  recovers,
  restarted,
  serviceAnswers,
  steadyState,
} from '../src/dsl.js';

export default defineScenario({
  id: 'pod-cidr-from-defaults',
  title: "kubespray re-run with its default variables: the controller-manager's and kube-proxy's pod CIDR no longer match the nodes'",
  incident:
    'It was at that point I realized, that kubespray had run successfully, with the default variables, not my specific ' +
    'environment variables. So at this point, everything not in the kube-system namespace was falling over. ... ' +
    'another one of those kubespray default values was a pod CIDR. Our desired CNI plugin was sitting in the right subnet, ' +
    'but pods were still getting the wrong CIDR.',
  source: {
    title: 'Breaking My Kubernetes Cluster, One Day at a Time',
    author: 'Seth McCombs',
    publisher: 'Tigera blog (guest post)',
    url: 'https://www.tigera.io/blog/breaking-my-cluster1-day-at-a-time/',
  },
  target: kindCluster(ONE_CONTROL_PLANE_TWO_WORKERS),
  steady: steadyState.controlPlane('kube-controller-manager'),
  // kubespray's kube_pods_subnet default; the nodes keep 10.244.x.0/24 (a node's podCIDR is immutable)
  fault: podCidrFromDefaults({ cidr: '10.233.64.0/18' }),
  expect: [
    detected(podCidrDisagreement()).within('30s'),
    // upstream's range allocator refuses to start when an existing node's podCIDR is outside --cluster-cidr
    // ("This error will keep crashing controller-manager")
    detected(restarted('kube-controller-manager')).within('2m'),
    detected(componentLog('kube-controller-manager', /out of the range|failed to mark cidr|does not belong to|cidr.*not in/i, 'kube-controller-manager logs a node CIDR outside --cluster-cidr')).within('2m'),
    detected(reconciliationStalled()).within('2m'),
    holds(serviceAnswers()).throughout(),
    holds(newPodsCannotReachService()).throughout(),
    recovers.within('4m'),
  ],
  hold: '90s',
});
