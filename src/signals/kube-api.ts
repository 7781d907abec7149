import { kubeOf } from '../targets/target.js';
import type { Source } from './signal.js';

/**
 * The API server as a client sees it: one small write (a ConfigMap patch in
 * kube-system) at a time, at most every 500 ms, each with a 10 s budget.
 * "api.write" carries the latency (ms; a failure counts with its elapsed
 * time and its error as text), "api.ok" 1 or 0.
 */
export function apiWriteSource(): Source {
  return {
    key: 'kube.api-write',
    needs: ['kube.api'],
    clock: { kind: 'poll', periodMs: 500 },
    async start({ target, log, abort }) {
      const { core } = kubeOf(target).clients;
      const name = 'kdrill-api-heartbeat';
      let stopped = false;
      const loop = (async () => {
        while (!stopped && !abort.aborted) {
          const t0 = Date.now();
          let err: string | undefined;
          try {
            const body = { metadata: { name, namespace: 'kube-system' }, data: { at: new Date(t0).toISOString() } };
            const timeout = new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no answer within 10s')), 10_000));
            await Promise.race([
              core.replaceNamespacedConfigMap({ name, namespace: 'kube-system', body }).catch(async (e: { code?: number }) => {
                if (e.code === 404) return core.createNamespacedConfigMap({ namespace: 'kube-system', body });
                throw e;
              }),
              timeout,
            ]);
          } catch (e) {
            err = String((e as Error).message ?? e).split('\n')[0]!.slice(0, 200);
          }
          const at = Date.now();
          log.emit({ signal: 'api.write', subject: 'apiserver', at, value: at - t0, text: err });
          log.emit({ signal: 'api.ok', subject: 'apiserver', at, value: err ? 0 : 1, text: err });
          const wait = Math.max(0, 500 - (Date.now() - t0));
          if (wait) await new Promise((r) => setTimeout(r, wait));
        }
      })();
      return {
        stop: async () => {
          stopped = true;
          await loop;
        },
      };
    },
  };
}
