import { goBuild } from './go-build.js';
import { KUBERNETES_VERSION } from './versions.js';

export const KUBE_COMMANDS = [
  'kubeadm',
  'kubelet',
  'kubectl',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kube-proxy',
] as const;
export type KubeCommand = (typeof KUBE_COMMANDS)[number];

/**
 * Kubernetes from the k8s.io/kubernetes module (consumer module
 * images/kubernetes), with the version stamped the way Kubernetes' own build
 * does (hack/lib/version.sh): kubeadm refuses to work without a real version.
 */
export async function buildKubernetes(): Promise<Record<KubeCommand, string>> {
  const v = KUBERNETES_VERSION;
  const [major, minor] = v.replace(/^v/, '').split('.');
  const stamp = (pkg: string) =>
    [
      `-X ${pkg}.gitVersion=${v}`,
      `-X ${pkg}.gitMajor=${major}`,
      `-X ${pkg}.gitMinor=${minor}`,
      `-X ${pkg}.gitTreeState=clean`,
      `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
    ].join(' ');
  const bins = await goBuild({
    name: `kubernetes-${v}`,
    module: 'images/kubernetes',
    packages: KUBE_COMMANDS.map((c) => `k8s.io/kubernetes/cmd/${c}`),
    ldflags: `-s -w ${stamp('k8s.io/component-base/version')} ${stamp('k8s.io/client-go/pkg/version')}`,
  });
  return bins as Record<KubeCommand, string>;
}
