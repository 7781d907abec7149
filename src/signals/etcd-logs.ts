import { etcdOf } from '../targets/target.js';
import type { Source } from './signal.js';
import { parseDuration } from '../util/duration.js';

function tryParseDuration(d: string): number | undefined {
  try {
    return parseDuration(d);
  } catch {
    return undefined;
  }
}

const LEVELS = new Set(['warn', 'error', 'dpanic', 'panic', 'fatal']);

/**
 * Follows every member's zap (JSON) log and emits each warning-or-worse line
 * as "etcd.log" (text = msg, at = the line's own ts, value = its "took" in
 * seconds when it has one): "apply request took too long", "slow fdatasync",
 * "leader failed to send out heartbeat on time", ...
 */
export function etcdLogSource(): Source {
  return {
    key: 'etcd-logs',
    needs: ['etcd'],
    clock: { kind: 'event' },
    async start({ target, log }) {
      const since = Date.now();
      const stops = etcdOf(target).members.map((m) =>
        m.followLogs(since, (line) => {
          if (!line.startsWith('{')) return;
          let j: { level?: string; ts?: string; msg?: string; took?: string };
          try {
            j = JSON.parse(line) as typeof j;
          } catch {
            return;
          }
          if (!j.msg || !LEVELS.has(j.level ?? '')) return;
          const at = j.ts ? Date.parse(j.ts) : NaN;
          const tookMs = j.took ? tryParseDuration(j.took) : undefined;
          log.emit({
            signal: 'etcd.log',
            subject: m.name,
            at: Number.isFinite(at) ? at : Date.now(),
            text: j.took ? `${j.msg} (took ${j.took})` : j.msg,
            ...(tookMs === undefined ? {} : { value: tookMs / 1000 }),
          });
        }),
      );
      return { stop: async () => stops.forEach((s) => s()) };
    },
  };
}
