import { existsSync } from 'node:fs';
import { attachCluster } from '../cluster/cluster.js';
import { listKdrillClusters } from '../cluster/kind.js';
import { kubeClients, loadKubeConfig } from '../cluster/kube.js';
import type { KubeHandle, KubeRef } from './kube-handle.js';

/** The API a record names, or undefined when that cluster is gone (and whatever was changed in it with it). */
export async function kubeFromRef(ref: KubeRef): Promise<KubeHandle | undefined> {
  if (ref.via === 'kind') {
    if (!(await listKdrillClusters()).includes(ref.cluster)) return undefined;
    const c = await attachCluster(ref.cluster);
    return { name: c.name, ref, kubeconfigPath: c.kubeconfigPath, kc: c.kc, clients: c.clients };
  }
  if (!existsSync(ref.kubeconfig)) throw new Error(`kubeconfig ${ref.kubeconfig} is gone: cannot reach context ${ref.context} to undo`);
  const kc = loadKubeConfig(ref.kubeconfig, ref.context);
  return { name: ref.context, ref, kubeconfigPath: ref.kubeconfig, context: ref.context, kc, clients: kubeClients(kc) };
}
