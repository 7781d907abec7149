import * as k8s from '@kubernetes/client-node';
import { KdrillError } from '../util/errors.js';

export interface ObjectList<T> {
  metadata?: { resourceVersion?: string };
  items: T[];
}

export interface WaitSpec<T extends k8s.KubernetesObject> {
  /** What we wait for, for the error message: "3 nodes Ready". */
  what: string;
  /** Watch path, e.g. /api/v1/nodes or /api/v1/namespaces/kube-system/pods. */
  path: string;
  /** The matching list call (gives the starting state and resourceVersion). */
  list: () => Promise<ObjectList<T>>;
  /** Evaluated over all current objects after the list and after every event. */
  done: (objects: T[]) => boolean;
  /** Describes the current state when the deadline passes. */
  describe?: (objects: T[]) => string;
  timeoutMs: number;
  queryParams?: Record<string, string>;
  /** Stops waiting (rejects with "interrupted") when aborted: Ctrl-C during provisioning. */
  signal?: AbortSignal;
}

/**
 * Waits by watching, never by sleeping: list once, then apply watch events to
 * a local cache and re-evaluate; a watch that ends (timeout, 410 Gone) is
 * restarted from a fresh list. Rejects at the deadline with what it saw.
 */
export function waitFor<T extends k8s.KubernetesObject>(kc: k8s.KubeConfig, spec: WaitSpec<T>): Promise<T[]> {
  const watch = new k8s.Watch(kc);
  const objects = new Map<string, T>();
  const keyOf = (o: T) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  let controller: AbortController | undefined;
  let finished = false;
  let lastError = '';

  return new Promise<T[]>((resolve, reject) => {
    const onAbort = () => finish(new KdrillError(`interrupted while waiting for ${spec.what}`));
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      controller?.abort();
      if (err) reject(err);
      else resolve([...objects.values()]);
    };
    const check = () => {
      if (spec.done([...objects.values()])) finish();
    };
    const timer = setTimeout(() => {
      const state = spec.describe ? spec.describe([...objects.values()]) : `${objects.size} objects`;
      finish(new KdrillError(`timed out after ${Math.round(spec.timeoutMs / 1000)}s waiting for ${spec.what}; last seen: ${state}${lastError ? `; last error: ${lastError}` : ''}`));
    }, spec.timeoutMs);
    if (spec.signal?.aborted) return onAbort();
    spec.signal?.addEventListener('abort', onAbort, { once: true });

    const start = async (): Promise<void> => {
      if (finished) return;
      try {
        const list = await spec.list();
        objects.clear();
        for (const o of list.items) objects.set(keyOf(o), o);
        check();
        if (finished) return;
        controller = await watch.watch(
          spec.path,
          { ...spec.queryParams, resourceVersion: list.metadata?.resourceVersion ?? '', allowWatchBookmarks: 'true' },
          (type: string, obj: T) => {
            if (type === 'ADDED' || type === 'MODIFIED') objects.set(keyOf(obj), obj);
            else if (type === 'DELETED') objects.delete(keyOf(obj));
            check();
          },
          (err: unknown) => {
            if (finished) return;
            if (err) lastError = (err as Error).message ?? String(err);
            // the watch ended: resume from a fresh list (backoff only on errors)
            setTimeout(() => void start(), err ? 1000 : 0);
          },
        );
      } catch (e) {
        lastError = (e as Error).message ?? String(e);
        if (!finished) setTimeout(() => void start(), 1000);
      }
    };
    void start();
  });
}

export function isPodReady(p: k8s.V1Pod): boolean {
  return p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function isNodeReady(n: k8s.V1Node): boolean {
  return (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}
