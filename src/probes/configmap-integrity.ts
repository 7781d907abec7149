import { kubeOf } from '../targets/target.js';
import { drillNamespace } from './drill-workloads.js';
import type { Probe, ProbeResult } from './probe.js';

/**
 * No acknowledged write is lost, through the Kubernetes API: ConfigMaps are
 * created one after another (each with a 15 s budget) by `writers` loops side
 * by side, from the start of the drill to its revert; every one the API server
 * acknowledged (HTTP 201) must be readable after recovery. Counts:
 * acknowledged, present, failed. Without a write acknowledged during the fault
 * the probe proved nothing about it (inconclusive). Several writers matter
 * where each fsync takes seconds: etcd commits concurrent puts in one WAL
 * fsync, so they share the rare moments etcd can acknowledge at all.
 */
export function configMapIntegrity(opts: { writers?: number } = {}): Probe {
  const writers = opts.writers ?? 1;
  if (!Number.isInteger(writers) || writers < 1 || writers > 16) throw new Error(`configMapIntegrity: writers must be 1-16, got ${writers}`);
  return {
    name: 'configMapIntegrity',
    needs: ['kube.api'],
    describe: () => 'every ConfigMap the API server acknowledged is present after recovery',
    async start({ target, runId, observations, abort, journal }) {
      const DRILL_NAMESPACE = await drillNamespace({ target, journal, runId });
      const { core } = kubeOf(target).clients;
      const label = `kdrill.dev/integrity-run`;
      const run = runId.replace(/[^a-z0-9-]/gi, '').toLowerCase().slice(-40);
      const acked: { name: string; at: number }[] = [];
      let failed = 0;
      let stopped = false;
      let seq = 0;
      const writer = async () => {
        while (!stopped && !abort.aborted) {
          const name = `kdrill-w-${run}-${seq++}`.slice(0, 63).replace(/-+$/, '');
          const t0 = Date.now();
          try {
            await Promise.race([
              core.createNamespacedConfigMap({ namespace: DRILL_NAMESPACE, body: { metadata: { name, labels: { [label]: run } }, data: { seq: String(seq) } } }),
              new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 15_000)),
            ]);
            acked.push({ name, at: t0 });
            observations.emit({ signal: 'integrity.ack', subject: 'configmaps', at: Date.now(), value: Date.now() - t0 });
          } catch {
            failed++;
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      };
      const loop = Promise.all(Array.from({ length: writers }, writer));
      return {
        async stop() {
          stopped = true;
          await loop;
        },
        async verify(window): Promise<ProbeResult> {
          // the writer stops first: a write acknowledged after the list was taken would look lost
          stopped = true;
          await loop;
          const list = await core.listNamespacedConfigMap({ namespace: DRILL_NAMESPACE, labelSelector: `${label}=${run}` });
          const listed = new Set(list.items.map((c) => c.metadata?.name));
          // a name the list lacks is read directly before it is called lost: a stale list is not a lost write
          const notListed = acked.filter((a) => !listed.has(a.name));
          const missing: typeof acked = [];
          for (const a of notListed) {
            const found = await core.readNamespacedConfigMap({ name: a.name, namespace: DRILL_NAMESPACE }).then(
              () => true,
              (e: { code?: number }) => (e.code === 404 ? false : Promise.reject(e)),
            );
            if (!found) missing.push(a);
          }
          const duringFault = acked.filter((a) => a.at >= window.from && a.at <= window.to).length;
          await core.deleteCollectionNamespacedConfigMap({ namespace: DRILL_NAMESPACE, labelSelector: `${label}=${run}` }).catch(() => undefined);
          return {
            ok: missing.length === 0,
            conclusive: duringFault > 0,
            detail:
              `${acked.length} acknowledged (${duringFault} during the fault), ${acked.length - missing.length} present, ${failed} failed or timed out` +
              (notListed.length > missing.length ? `; ${notListed.length - missing.length} missing from the list but present when read by name` : '') +
              (missing.length ? `; LOST: ${missing.slice(0, 5).map((m) => m.name).join(', ')}` : ''),
            counts: { acknowledged: acked.length, acknowledgedDuringFault: duringFault, present: acked.length - missing.length, failed, notListed: notListed.length },
          };
        },
      };
    },
  };
}
