import {
  apiUnavailable,
  componentLog,
  controllerForbidden,
  defineScenario,
  detected,
  holds,
  kindCluster,
  ONE_CONTROL_PLANE_TWO_WORKERS,
  permissionGranted,
  permissionMissing,
  reconciliationStalled,
  recovers,
  removeRbacPermission,
  restartApiServer,
  serviceAnswers,
  steadyState,
} from '../src/dsl.js';

const replicasetController = { user: 'system:serviceaccount:kube-system:replicaset-controller', verb: 'create', resource: 'pods' };

export default defineScenario({
  id: 'missing-permission',
  title: 'a controller loses one permission it needs: Forbidden in a log nobody reads, and nothing else looks wrong',
  incident:
    'I accidentally deleted some IAM roles (but I did re-add them!) ... I re-added the roles with the proper permissions ' +
    'based on the kubespray documentation, and nothing looked amiss. The signs of trouble we first saw (which later came ' +
    'back around a week later) were errors in the journalctl logs ... I had missed a permission for the role. Adding that ' +
    'permission immediately resolved the issue.',
  source: {
    title: 'Breaking My Kubernetes Cluster, One Day at a Time',
    author: 'Seth McCombs',
    publisher: 'Tigera blog (guest post)',
    url: 'https://www.tigera.io/blog/breaking-my-cluster1-day-at-a-time/',
  },
  target: kindCluster(ONE_CONTROL_PLANE_TWO_WORKERS),
  steady: steadyState.controlPlane(),
  // IAM-like, through RBAC: kubeadm runs each controller with its own service account bound to a bootstrap role
  // (the kubelet's permissions come from the Node authorizer and cannot be taken away this way)
  fault: removeRbacPermission({ clusterRole: 'system:controller:replicaset-controller', resource: 'pods', verb: 'create', serviceAccount: replicasetController.user }),
  expect: [
    detected(permissionMissing(replicasetController)).within('30s'),
    detected(controllerForbidden()).within('2m'),
    detected(componentLog('kube-controller-manager', /forbidden/i, 'kube-controller-manager logs Forbidden')).within('2m'),
    // the reconciliation it owns stalls: a Deployment scaled up gets no pods
    detected(reconciliationStalled()).within('2m'),
    // and everything else keeps working, as it did for a week in the postmortem
    holds(apiUnavailable()).throughout(),
    holds(serviceAnswers()).throughout(),
    recovers.within('2m'),
  ],
  remediation: [
    {
      // the API server re-adds missing rules of bootstrap roles when it starts, while autoupdate is "true"
      title: 'restart the API server (it reconciles bootstrap roles at start)',
      action: restartApiServer(),
      expect: [detected(permissionGranted(replicasetController)).within('2m')],
      hold: '30s',
    },
  ],
  hold: '30s',
});
