import {
  cniLeftoverConfig,
  defineScenario,
  detected,
  duplicatePodIps,
  holds,
  kindCluster,
  multipleCniConfigs,
  newPodsCannotReachPeers,
  newPodsGetWrongCidr,
  ONE_CONTROL_PLANE_TWO_WORKERS,
  podIpOutsideNodeCidr,
  recovers,
  removeCniConfig,
  serviceAnswers,
  steadyState,
} from '../src/dsl.js';

export default defineScenario({
  id: 'cni-leftover-config',
  title: "a second CNI's config left in /etc/cni/net.d: every new pod gets the wrong CIDR, and the botched remediation",
  incident:
    'All new pods have the incorrect (kubespray default) CIDR. There aren\'t any rogue CNI bits left in the cluster, right? ' +
    'Turns out that secondary CNI pods had left a config file in the /etc/cni/net.d/ directory ... that file ' +
    '(10-<secondary-plugin>.conf) was causing issues by coexisting in that directory with 10-<primary-plugin>.conf. ' +
    'Pods were scheduling ... but there were endless CrashLoopBackOff for all new pods. Then: "I deleted 10-<primary-plugin>.conf", ' +
    '"I had missed a node", and finally the leftover deleted everywhere: pods with proper CIDRs.',
  source: {
    title: 'Breaking My Kubernetes Cluster, One Day at a Time',
    author: 'Seth McCombs',
    publisher: 'Tigera blog (guest post)',
    url: 'https://www.tigera.io/blog/breaking-my-cluster1-day-at-a-time/',
  },
  target: kindCluster(ONE_CONTROL_PLANE_TWO_WORKERS),
  steady: steadyState.network(),
  // a plugin the node has (bridge + host-local) on kubespray's default kube_pods_subnet: pods get addresses, wrong ones
  fault: cniLeftoverConfig({ file: '10-calico.conflist', subnet: '10.233.64.0/18' }),
  expect: [
    detected(multipleCniConfigs()).within('30s'),
    detected(podIpOutsideNodeCidr()).within('60s'),
    detected(newPodsCannotReachPeers()).within('2m'),
    // host-local IPAM is per node: on one shared range every node hands out the same addresses
    detected(duplicatePodIps()).within('2m'),
    // the pods that were running keep their addresses and keep serving
    holds(serviceAnswers()).throughout(),
    recovers.within('3m'),
  ],
  remediation: [
    {
      title: "delete the primary plugin's config on every node (\"Oh, I deleted 10-<primary-plugin>.conf\")",
      action: removeCniConfig({ file: '10-kindnet.conflist' }),
      expect: [detected(newPodsGetWrongCidr({ on: 'faulty' })).within('90s')],
      // long enough to see whether anything writes the primary's config back (README: kdrill-net does, kindnetd does not)
      hold: '45s',
    },
    {
      title: 'delete the leftover on every node but one ("I had missed a node")',
      action: removeCniConfig({ file: '10-calico.conflist', nodes: 'all-but-one' }),
      expect: [detected(newPodsGetWrongCidr({ on: 'others' })).within('90s'), holds(newPodsGetWrongCidr({ on: 'faulty' })).throughout()],
      hold: '30s',
    },
    {
      title: 'delete the leftover on every node',
      action: removeCniConfig({ file: '10-calico.conflist' }),
      expect: [holds(newPodsGetWrongCidr()).throughout(), holds(newPodsCannotReachPeers()).throughout()],
      hold: '30s',
    },
  ],
  hold: '30s',
});
