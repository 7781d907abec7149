import type * as k8s from '@kubernetes/client-node';
import type { KubeClients } from '../cluster/kube.js';

/** How a journal record names a cluster's API: a kind cluster kdrill made, or a kubeconfig context. */
export type KubeRef = { via: 'kind'; cluster: string } | { via: 'kubeconfig'; kubeconfig: string; context: string };

/** A cluster's API as faults, signals and probes use it. */
export interface KubeHandle {
  /** the kind cluster name, or the context name */
  name: string;
  ref: KubeRef;
  kubeconfigPath: string;
  context?: string;
  kc: k8s.KubeConfig;
  clients: KubeClients;
}

export function describeKubeRef(r: KubeRef): string {
  return r.via === 'kind' ? r.cluster : `context ${r.context}`;
}
