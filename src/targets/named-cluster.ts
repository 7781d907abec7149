import { execa } from 'execa';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { kubeClients, loadKubeConfig } from '../cluster/kube.js';
import { markerIsOurs, readMarker } from '../cluster/marker.js';
import { KdrillError } from '../util/errors.js';
import type { NamedCluster } from './target.js';

/** $KUBECONFIG's first file, else ~/.kube/config: where kubectl looks. */
export function defaultKubeconfig(): string {
  return process.env.KUBECONFIG?.split(':').find(Boolean) ?? join(homedir(), '.kube', 'config');
}

/** A kind node container's cluster label and address, if `name` is one on this host. */
async function kindNodeContainer(name: string): Promise<{ cluster: string; ips: string[] } | undefined> {
  const r = await execa('docker', ['inspect', '--format', '{{index .Config.Labels "io.x-k8s.kind.cluster"}}\t{{range .NetworkSettings.Networks}}{{.IPAddress}} {{.GlobalIPv6Address}} {{end}}', name], { reject: false });
  if (r.exitCode !== 0) return undefined;
  const [cluster = '', ips = ''] = r.stdout.trim().split('\t');
  return cluster && cluster !== '<no value>' ? { cluster, ips: ips.split(/\s+/).filter(Boolean) } : undefined;
}

/**
 * Looks at the cluster a kubeconfig context points at, read-only: can its API
 * be reached, did this machine's kdrill make it (its marker), and are its nodes
 * kind node containers on this host — the same names *and* the same addresses
 * the API reports (a remote cluster can have a node called kind-control-plane).
 */
export async function nameCluster(kubeconfig: string | undefined, context: string | undefined): Promise<NamedCluster> {
  const path = resolve(kubeconfig ?? defaultKubeconfig());
  const kc = loadKubeConfig(path, context);
  const ctx = kc.getCurrentContext();
  if (!ctx) throw new KdrillError(`${path} has no current context`, { hint: 'name one: --context C' });
  const server = kc.getCurrentCluster()?.server ?? '?';
  const clients = kubeClients(kc);
  let nodes;
  try {
    nodes = (await clients.core.listNode()).items;
  } catch (e) {
    throw new KdrillError(`cannot list the nodes of context ${ctx} (${server}): ${(e as Error).message.split('\n')[0]}`, { hint: 'is the cluster up, and may these credentials list nodes?' });
  }
  const marker = await readMarker(clients);
  const kindNames = new Set<string>();
  const otherNodes: string[] = [];
  for (const n of nodes) {
    const name = n.metadata?.name ?? '';
    const c = await kindNodeContainer(name);
    const apiIps = (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
    if (c && apiIps.some((ip) => c.ips.includes(ip))) kindNames.add(c.cluster);
    else otherNodes.push(name);
  }
  const kindName = kindNames.size === 1 && otherNodes.length === 0 ? [...kindNames][0] : undefined;
  if (kindNames.size > 1) otherNodes.push(...[...kindNames].map((k) => `(nodes of several kind clusters: ${k})`));
  const controlPlanes = nodes.filter((n) => n.metadata?.labels?.['node-role.kubernetes.io/control-plane'] !== undefined).length;
  return { kubeconfig: path, context: ctx, server, kindName, otherNodes, controlPlanes, ours: markerIsOurs(marker.uid, kindName) };
}
