import type { Condition } from './signal.js';
import { cidrAgreementSource } from './cidr-agreement.js';
import { reconcileCanarySource } from './reconcile-canary.js';

/** kubeadm-config, the controller-manager, kube-proxy and the nodes do not agree on the pod CIDR. */
export function podCidrDisagreement(): Condition {
  return {
    name: "the pod CIDR in kubeadm-config, the controller-manager's flag, kube-proxy's config and the nodes' podCIDRs disagree",
    kind: 'level',
    sources: [cidrAgreementSource()],
    test: (o) => (o.signal === 'cidr.agreement' ? o.value === 0 : undefined),
  };
}

/** A Deployment scaled up (or down) does not get its pods within `patience`: the controllers are not reconciling. */
export function reconciliationStalled(opts: { every?: string; patience?: string } = {}): Condition {
  return {
    name: `a Deployment scaled up gets no pods within ${opts.patience ?? '30s'}`,
    kind: 'level',
    sources: [reconcileCanarySource(opts)],
    test: (o) => (o.signal === 'reconcile.ok' ? o.value === 0 : undefined),
  };
}
