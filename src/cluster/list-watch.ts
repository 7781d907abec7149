import type * as k8s from '@kubernetes/client-node';
import { Watch } from '@kubernetes/client-node';

export interface ListWatchSpec<T> {
  /** the collection's API path, e.g. /api/v1/pods or /api/v1/namespaces/x/events */
  path: string;
  /** the current list (its resourceVersion starts the watch); omitted: watch from now, without a list */
  list?: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  /** each listed object ('LISTED'), then each watch event */
  onEvent: (type: 'LISTED' | 'ADDED' | 'MODIFIED' | 'DELETED', obj: T) => void;
  /** query parameters besides resourceVersion */
  query?: Record<string, string>;
  abort?: AbortSignal;
  /** a watch that ended or failed is started again after this long (default 1 s) */
  retryMs?: number;
}

/**
 * List, then watch from the list's resourceVersion; when the watch ends (the
 * API server closes watches every few minutes, or it went down), list and
 * watch again. Returns the function that stops it. The first list is awaited,
 * so what exists when this returns has been seen.
 */
export async function listWatch<T>(kc: k8s.KubeConfig, spec: ListWatchSpec<T>): Promise<() => void> {
  let stopped = false;
  let ctl: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  const again = (): void => {
    if (!stopped && !spec.abort?.aborted) timer = setTimeout(() => void start(), spec.retryMs ?? 1000);
  };
  const start = async (): Promise<void> => {
    if (stopped || spec.abort?.aborted) return;
    try {
      let resourceVersion: string | undefined;
      if (spec.list) {
        const l = await spec.list();
        resourceVersion = l.metadata?.resourceVersion;
        for (const o of l.items) spec.onEvent('LISTED', o);
      }
      if (stopped) return;
      ctl = await new Watch(kc).watch(
        spec.path,
        { ...(spec.query ?? {}), ...(resourceVersion ? { resourceVersion } : {}) },
        (type: string, o: T) => {
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') spec.onEvent(type, o);
        },
        again,
      );
    } catch {
      again();
    }
  };
  const stop = (): void => {
    stopped = true;
    if (timer) clearTimeout(timer);
    ctl?.abort();
  };
  spec.abort?.addEventListener('abort', stop, { once: true });
  await start();
  return stop;
}
