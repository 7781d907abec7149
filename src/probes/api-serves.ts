import { kubeOf } from '../targets/target.js';
import type { Probe, ProbeResult } from './probe.js';
import { callLoop, judgeOutage } from './outage.js';
import { formatDuration, parseDuration, type Duration } from '../util/duration.js';

/**
 * The API keeps serving: a read (list namespaces, served from etcd through a
 * quorum read) every 500 ms with a 5 s budget; judged over the fault window:
 * no outage longer than maxOutage (a leader election may cost a few seconds).
 */
export function apiServes(opts: { maxOutage?: Duration } = {}): Probe {
  const maxOutageMs = parseDuration(opts.maxOutage ?? '10s', 'apiServes.maxOutage');
  return {
    name: 'apiServes',
    needs: ['kube.api'],
    describe: () => `the API answers a read every 500ms (outage ≤ ${formatDuration(maxOutageMs)})`,
    async start({ target, abort }) {
      const { core } = kubeOf(target).clients;
      const loop = callLoop(
        async () => {
          const t0 = performance.now();
          try {
            await Promise.race([core.listNamespace({ limit: 1 }), new Promise((_, rej) => setTimeout(() => rej(new Error('no answer within 5s')), 5000))]);
            return { ok: true, ms: performance.now() - t0 };
          } catch (e) {
            return { ok: false, ms: performance.now() - t0, err: String((e as Error).message ?? e).split('\n')[0] };
          }
        },
        500,
        abort,
      );
      return { stop: () => loop.stop(), verify: async (window): Promise<ProbeResult> => judgeOutage('API reads', loop.calls, window, maxOutageMs) };
    },
  };
}
