import type * as k8s from '@kubernetes/client-node';
import type { Journal, JournalEntry } from '../journal.js';
import type { KubeHandle, KubeRef } from '../targets/kube-handle.js';
import { describeKubeRef } from '../targets/kube-handle.js';
import { kubeFromRef } from '../targets/kube-ref.js';
import { KDRILL_NAME, RecordInvalid, str, optStr, type Applied, type ChangeKind, type ChangeRecord } from './change.js';

/** Which object: enough for client-node's generic object API. */
export interface ObjectId {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * A Kubernetes object created, patched or deleted; undo puts back its exact
 * prior state (spec, data, rules, labels, annotations), or deletes it if it
 * did not exist. Compared by content (`canonicalObject`), never by
 * resourceVersion or managedFields.
 */
export interface KubeObjectRecord extends ChangeRecord {
  type: 'kube-object';
  kube: KubeRef;
  id: ObjectId;
  /** the object before the change, canonical; null = it did not exist */
  prior: Record<string, unknown> | null;
}

const SERVER_FIELDS = ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** What an object *is*, without what the server adds (status, resourceVersion, uid, managedFields, ...). */
export function canonicalObject(o: k8s.KubernetesObject | Record<string, unknown>): Record<string, unknown> {
  const c = JSON.parse(JSON.stringify(o)) as Record<string, unknown> & { metadata?: Record<string, unknown> };
  delete c.status;
  if (c.metadata) {
    for (const f of SERVER_FIELDS) delete c.metadata[f];
    const ann = c.metadata.annotations as Record<string, string> | undefined;
    if (ann) {
      delete ann['kubectl.kubernetes.io/last-applied-configuration'];
      delete ann['deployment.kubernetes.io/revision'];
      if (!Object.keys(ann).length) delete c.metadata.annotations;
    }
  }
  return sortKeys(c) as Record<string, unknown>;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

export function sameObject(a: Record<string, unknown> | null, b: Record<string, unknown> | null): boolean {
  return JSON.stringify(a && canonicalObject(a)) === JSON.stringify(b && canonicalObject(b));
}

function spec(id: ObjectId): k8s.KubernetesObject & { metadata: { name: string; namespace?: string } } {
  return { apiVersion: id.apiVersion, kind: id.kind, metadata: { name: id.name, ...(id.namespace ? { namespace: id.namespace } : {}) } };
}

/** The object now (canonical), or null when it does not exist. */
export async function readObject(kube: KubeHandle, id: ObjectId): Promise<Record<string, unknown> | null> {
  try {
    return canonicalObject(await kube.clients.objects.read(spec(id)));
  } catch (e) {
    if ((e as { code?: number }).code === 404) return null;
    throw e;
  }
}

/** Makes the object be `want` (null: absent), whatever it is now. Idempotent. */
export async function putObject(kube: KubeHandle, id: ObjectId, want: Record<string, unknown> | null): Promise<void> {
  const objects = kube.clients.objects;
  let current: k8s.KubernetesObject | undefined;
  try {
    current = await objects.read(spec(id));
  } catch (e) {
    if ((e as { code?: number }).code !== 404) throw e;
  }
  if (want === null) {
    if (current) await objects.delete(spec(id)).catch((e: { code?: number }) => (e.code === 404 ? undefined : Promise.reject(e)));
    return;
  }
  if (!current) {
    await objects.create(canonicalObject(want) as k8s.KubernetesObject);
    return;
  }
  if (sameObject(canonicalObject(current), want)) return;
  const body = canonicalObject(want) as k8s.KubernetesObject;
  body.metadata = { ...body.metadata, resourceVersion: current.metadata?.resourceVersion };
  await objects.replace(body);
}

function objectId(raw: Record<string, unknown>): ObjectId {
  const v = raw.id;
  if (!v || typeof v !== 'object') throw new RecordInvalid('id', 'expected {apiVersion, kind, namespace?, name}');
  const r = v as Record<string, unknown>;
  const sub = <T>(f: () => T, field: string): T => {
    try {
      return f();
    } catch (e) {
      throw new RecordInvalid(`id.${field}`, (e as Error).message.replace(/^field "[^"]*": /, ''));
    }
  };
  const apiVersion = sub(() => str(r, 'apiVersion', /^([a-z0-9.-]+\/)?v[0-9a-z]+$/), 'apiVersion');
  const kind = sub(() => str(r, 'kind', /^[A-Z][A-Za-z0-9]*$/), 'kind');
  const namespace = sub(() => optStr(r, 'namespace', /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/), 'namespace');
  const name = sub(() => str(r, 'name', /^[a-zA-Z0-9]([-a-zA-Z0-9.:]*[a-zA-Z0-9])?$/), 'name');
  return { apiVersion, kind, ...(namespace ? { namespace } : {}), name };
}

function kubeRef(raw: Record<string, unknown>): KubeRef {
  const v = raw.kube as Record<string, unknown> | undefined;
  if (!v || typeof v !== 'object') throw new RecordInvalid('kube', 'expected a cluster reference');
  if (v.via === 'kind') return { via: 'kind', cluster: str(v, 'cluster', KDRILL_NAME) };
  if (v.via === 'kubeconfig') return { via: 'kubeconfig', kubeconfig: str(v, 'kubeconfig', /^\//), context: str(v, 'context') };
  throw new RecordInvalid('kube.via', `expected "kind" or "kubeconfig", got ${JSON.stringify(v.via)}`);
}

export function describeObject(id: ObjectId): string {
  return `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
}

export const kubeObject: ChangeKind<KubeObjectRecord> = {
  type: 'kube-object',
  summary: 'a Kubernetes object created, patched or deleted, put back as it was (or deleted if it did not exist)',
  describe: (r) => (r.prior === null ? `delete ${describeObject(r.id)} in ${describeKubeRef(r.kube)}` : `restore ${describeObject(r.id)} in ${describeKubeRef(r.kube)}`),
  validate(raw) {
    const kube = kubeRef(raw);
    const id = objectId(raw);
    const prior = raw.prior;
    if (prior !== null && (typeof prior !== 'object' || Array.isArray(prior))) throw new RecordInvalid('prior', 'expected an object or null');
    if (prior) {
      const p = prior as { kind?: unknown; metadata?: { name?: unknown } };
      if (p.kind !== id.kind || p.metadata?.name !== id.name) throw new RecordInvalid('prior', `is not ${describeObject(id)}`);
    }
    return { type: 'kube-object', kube, id, prior: prior as Record<string, unknown> | null, cluster: kube.via === 'kind' ? kube.cluster : kube.context };
  },
  async undo(r) {
    const kube = await kubeFromRef(r.kube);
    if (!kube) return; // the cluster is gone, and the object with it
    await putObject(kube, r.id, r.prior);
  },
};

/**
 * Journals the object's state now, then makes it `next(current)` (null:
 * delete it). `result` is the object before.
 */
export async function changeObject(
  journal: Journal,
  kube: KubeHandle,
  id: ObjectId,
  next: (current: Record<string, unknown> | null) => Record<string, unknown> | null,
): Promise<Applied<Record<string, unknown> | null>> {
  const prior = await readObject(kube, id);
  const want = next(prior === null ? null : (JSON.parse(JSON.stringify(prior)) as Record<string, unknown>));
  const rec: KubeObjectRecord = { type: 'kube-object', kube: kube.ref, id, prior, cluster: kube.name };
  return journal.change(rec, async () => {
    await putObject(kube, id, want);
    return prior;
  });
}

/** Creates (or replaces) an object kdrill owns for the drill; undo deletes it (or restores what was there). */
export function createObject(journal: Journal, kube: KubeHandle, obj: k8s.KubernetesObject & { metadata: { name: string; namespace?: string }; [k: string]: unknown }): Promise<Applied<Record<string, unknown> | null>> {
  const id: ObjectId = { apiVersion: obj.apiVersion!, kind: obj.kind!, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) };
  return changeObject(journal, kube, id, () => obj as unknown as Record<string, unknown>);
}

/**
 * Journals an object's state now and changes nothing yet: for a change whose
 * undo must come after another's (a DaemonSet restarted to read a ConfigMap
 * must be reverted after the ConfigMap is). `adjustObject` changes it later
 * under this same record.
 */
export function recordObject(journal: Journal, kube: KubeHandle, id: ObjectId): Promise<Applied<Record<string, unknown> | null>> {
  return changeObject(journal, kube, id, (cur) => cur);
}

/** Changes an object already journaled (by recordObject or changeObject) to `next(current)`. */
export function adjustObject(journal: Journal, entry: JournalEntry, kube: KubeHandle, next: (current: Record<string, unknown> | null) => Record<string, unknown> | null): Promise<void> {
  const r = entry.record as KubeObjectRecord;
  return journal.adjust(entry, async () => putObject(kube, r.id, next(await readObject(kube, r.id))));
}
