import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { stateDir } from '../util/paths.js';
import type { KubeClients } from './kube.js';

/**
 * How kdrill knows a cluster is its own: not by a name (anyone can call a
 * kind cluster or a context "kdrill-..."), but by two halves of one random
 * id written when kdrill created the cluster — a ConfigMap in the cluster and
 * a file in this machine's state directory. Only both together say "made by
 * kdrill here"; a copied ConfigMap without the file, or a file without the
 * ConfigMap, is a cluster kdrill did not create.
 */
export const MARKER = { namespace: 'kube-system', name: 'kdrill-cluster' } as const;

interface MarkerFile {
  uid: string;
  cluster: string;
  createdAt: string;
  host: string;
}

function markerDir(): string {
  return join(stateDir(), 'clusters');
}

/** Writes both halves (after the cluster is Ready). Idempotent: a cluster that has a marker keeps it. */
export async function writeMarker(clients: KubeClients, cluster: string): Promise<string> {
  const existing = await readMarker(clients);
  if (existing.uid) return existing.uid;
  const m: MarkerFile = { uid: randomUUID(), cluster, createdAt: new Date().toISOString(), host: hostname() };
  // the local half first: a ConfigMap without it would be a cluster kdrill does not recognise as its own
  mkdirSync(markerDir(), { recursive: true, mode: 0o700 });
  writeFileSync(join(markerDir(), `${m.uid}.json`), JSON.stringify(m, null, 2) + '\n', { mode: 0o600 });
  await clients.core.createNamespacedConfigMap({
    namespace: MARKER.namespace,
    body: {
      metadata: { name: MARKER.name, labels: { 'app.kubernetes.io/managed-by': 'kdrill' } },
      data: { uid: m.uid, cluster, createdAt: m.createdAt, note: 'created by kdrill with this cluster: how kdrill recognises a cluster it made (with a file on the machine that made it)' },
    },
  });
  return m.uid;
}

/** The cluster's half: its marker's id, or why there is none (absent, or not readable with these credentials). */
export async function readMarker(clients: KubeClients): Promise<{ uid?: string; cluster?: string; why?: string }> {
  try {
    const cm = await clients.core.readNamespacedConfigMap({ namespace: MARKER.namespace, name: MARKER.name });
    return { uid: cm.data?.uid, cluster: cm.data?.cluster };
  } catch (e) {
    const code = (e as { code?: number }).code;
    if (code === 404) return { why: `no ConfigMap ${MARKER.namespace}/${MARKER.name}` };
    return { why: `ConfigMap ${MARKER.namespace}/${MARKER.name} not readable (${code ?? (e as Error).message.split('\n')[0]})` };
  }
}

/** Whether this machine's kdrill made the cluster whose marker is `uid` (the local half exists and names it). */
export function markerIsOurs(uid: string | undefined, cluster?: string): boolean {
  if (!uid || !/^[0-9a-f-]{36}$/.test(uid)) return false;
  const f = join(markerDir(), `${uid}.json`);
  if (!existsSync(f)) return false;
  try {
    const m = JSON.parse(readFileSync(f, 'utf8')) as MarkerFile;
    return m.uid === uid && (cluster === undefined || m.cluster === cluster);
  } catch {
    return false;
  }
}

/** Drops the local halves of a deleted cluster's markers. */
export function forgetMarkers(cluster: string): void {
  let names: string[];
  try {
    names = readdirSync(markerDir());
  } catch {
    return;
  }
  for (const n of names.filter((x) => x.endsWith('.json'))) {
    try {
      const m = JSON.parse(readFileSync(join(markerDir(), n), 'utf8')) as MarkerFile;
      if (m.cluster === cluster) rmSync(join(markerDir(), n), { force: true });
    } catch {
      // not ours to judge: leave it
    }
  }
}
