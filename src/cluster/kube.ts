import * as k8s from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { KdrillError } from '../util/errors.js';

/** A client-node KubeConfig for one kubeconfig file, with its context checked to exist. */
export function loadKubeConfig(path: string, context?: string): k8s.KubeConfig {
  if (!existsSync(path)) throw new KdrillError(`kubeconfig ${path} does not exist`);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path);
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      throw new KdrillError(`context "${context}" is not in ${path}`, { hint: `contexts there: ${kc.getContexts().map((c) => c.name).join(', ')}` });
    }
    kc.setCurrentContext(context);
  }
  return kc;
}

export interface KubeClients {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  batch: k8s.BatchV1Api;
  coordination: k8s.CoordinationV1Api;
  discovery: k8s.DiscoveryV1Api;
  authorization: k8s.AuthorizationV1Api;
  rbac: k8s.RbacAuthorizationV1Api;
  objects: k8s.KubernetesObjectApi;
}

export function kubeClients(kc: k8s.KubeConfig): KubeClients {
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    batch: kc.makeApiClient(k8s.BatchV1Api),
    coordination: kc.makeApiClient(k8s.CoordinationV1Api),
    discovery: kc.makeApiClient(k8s.DiscoveryV1Api),
    authorization: kc.makeApiClient(k8s.AuthorizationV1Api),
    rbac: kc.makeApiClient(k8s.RbacAuthorizationV1Api),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
  };
}

/** Server-side-apply-like create-or-replace of plain manifests (create; on 409 replace). */
export async function applyObjects(clients: KubeClients, objs: k8s.KubernetesObject[]): Promise<void> {
  for (const o of objs) {
    try {
      await clients.objects.create(o);
    } catch (e: unknown) {
      if ((e as { code?: number }).code === 409) {
        const existing = await clients.objects.read(o as k8s.KubernetesObject & { metadata: { name: string } });
        await clients.objects.replace({ ...o, metadata: { ...o.metadata, resourceVersion: existing.metadata?.resourceVersion } });
      } else throw e;
    }
  }
}
