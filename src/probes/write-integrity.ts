import { etcdOf } from '../targets/target.js';
import { sleep } from '../util/sleep.js';
import type { Probe, ProbeResult, RunningProbe } from './probe.js';

export interface WriteIntegrityOptions {
  /** Concurrent writers (default 4). */
  writers?: number;
  /** Upper bound on puts per second per writer (default 25). */
  rate?: number;
}

/**
 * Acknowledged writes survive: writers put unique keys for the whole run and
 * remember every put etcd acknowledged; after recovery every acknowledged key
 * must be readable with its value (a linearizable range read). Unacknowledged
 * puts (timeouts during the fault) may or may not be there: that is allowed.
 */
export function writeIntegrity(opts: WriteIntegrityOptions = {}): Probe {
  const writers = opts.writers ?? 4;
  const rate = opts.rate ?? 25;
  return {
    name: 'writeIntegrity',
    needs: ['etcd'],
    describe: () => 'every acknowledged put is present after recovery',
    async start({ target, runId, abort }): Promise<RunningProbe> {
      const prefix = `/kdrill/integrity/${runId}/`;
      const client = etcdOf(target).client();
      const acked = new Map<string, { value: string; at: number }>();
      let failed = 0;
      let stopped = false;
      const loops = Array.from({ length: writers }, async (_, w) => {
        for (let seq = 0; !stopped && !abort.aborted; seq++) {
          const t = Date.now();
          const key = `${prefix}${w}/${String(seq).padStart(8, '0')}`;
          const value = `${w}:${seq}:${t}`;
          try {
            await client.put(key).value(value);
            acked.set(key, { value, at: Date.now() });
          } catch {
            failed++;
          }
          await sleep(Math.max(0, 1000 / rate - (Date.now() - t)), abort);
        }
      });
      return {
        async stop() {
          stopped = true;
          await Promise.all(loops);
        },
        async verify(window): Promise<ProbeResult> {
          stopped = true;
          await Promise.all(loops);
          const stored = await client.getAll().prefix(prefix).strings();
          client.close();
          let present = 0;
          const missing: string[] = [];
          let duringFault = 0;
          for (const [k, v] of acked) {
            if (stored[k] === v.value) present++;
            else missing.push(k);
            if (v.at >= window.from && v.at <= window.to) duringFault++;
          }
          const counts = { acknowledged: acked.size, present, acknowledgedDuringFault: duringFault, unacknowledged: failed };
          const conclusive = duringFault > 0;
          return {
            ok: missing.length === 0,
            conclusive,
            detail:
              `${present}/${acked.size} acknowledged puts present (${duringFault} acknowledged during the fault, ${failed} not acknowledged)` +
              (missing.length ? `; missing e.g. ${missing.slice(0, 3).join(', ')}` : '') +
              (conclusive ? '' : '; no put was acknowledged during the fault, so integrity through it is unproven'),
            counts,
          };
        },
      };
    },
  };
}
