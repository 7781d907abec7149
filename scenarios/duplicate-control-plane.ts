import {
  defineScenario,
  detected,
  duplicateControlPlane,
  duplicateControlPlaneRunning,
  holds,
  kindCluster,
  leaderChanged,
  multipleCniConfigs,
  newPodsGetWrongCidr,
  ONE_CONTROL_PLANE_TWO_WORKERS,
  recovers,
  removeDuplicateControlPlane,
  scaleDaemonSetToZero,
  SECOND_CNI,
  secondCni,
  serviceAnswers,
  steadyState,
  together,
} from '../src/dsl.js';

export default defineScenario({
  id: 'duplicate-control-plane',
  title: 'two copies of the control plane and two CNI plugins; "scale the second CNI to 0" leaves its config on every node',
  incident:
    'due to a misplaced variable in my vars file ... I now had two copies of all the control plane pods. Two copies of the ' +
    "api-server, controller-manager, and kube-scheduler, and two CNI Plugins running at the same time. ... Let's get low " +
    'hanging fruit first. Scale the second CNI plugin to 0 pods, and fix the multiple control plane pods. Back in business. ' +
    'Well halfway in business ... there were endless CrashLoopBackOff for all new pods.',
  source: {
    title: 'Breaking My Kubernetes Cluster, One Day at a Time',
    author: 'Seth McCombs',
    publisher: 'Tigera blog (guest post)',
    url: 'https://www.tigera.io/blog/breaking-my-cluster1-day-at-a-time/',
  },
  target: kindCluster(ONE_CONTROL_PLANE_TWO_WORKERS),
  steady: steadyState.network(),
  fault: together('kubespray with a misplaced variable', duplicateControlPlane({ ownPorts: true }), secondCni({ file: '10-calico.conflist', subnet: '10.233.64.0/18' })),
  expect: [
    detected(duplicateControlPlaneRunning()).within('2m'),
    detected(multipleCniConfigs()).within('2m'),
    detected(newPodsGetWrongCidr()).within('2m'),
    // leader election keeps one active scheduler and one controller-manager: the copies wait for the lease
    holds(leaderChanged('kube-scheduler')).throughout(),
    holds(leaderChanged('kube-controller-manager')).throughout(),
    holds(serviceAnswers()).throughout(),
    recovers.within('3m'),
  ],
  remediation: [
    {
      title: 'scale the second CNI plugin to 0 pods',
      action: scaleDaemonSetToZero({ name: SECOND_CNI, namespace: 'kube-system' }),
      // its pods are gone, its config is not: new pods still get its range
      expect: [detected(multipleCniConfigs()).within('30s'), detected(newPodsGetWrongCidr()).within('60s')],
    },
    {
      title: 'fix the multiple control plane pods ("Back in business. Well halfway")',
      action: removeDuplicateControlPlane(),
      // what is left is incident 003's leftover config: cni-leftover-config's cause
      expect: [detected(multipleCniConfigs()).within('30s'), detected(newPodsGetWrongCidr()).within('60s')],
    },
  ],
  hold: '30s',
});
