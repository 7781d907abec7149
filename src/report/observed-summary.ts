import type { Observation } from '../signals/observation.js';
import type { Timeline } from '../expect/expectation.js';

/**
 * Headline numbers of a run from its observations, over injection → end:
 * leader changes (the most any one member saw), worst fsync/commit p99 and
 * client put latency per member, and how often each warning line appeared.
 */
export function observedSummary(obs: readonly Observation[], t: Timeline): Record<string, number | string> {
  const from = t.injectedAt ?? t.endAt;
  const out: Record<string, number | string> = {};
  const changes = new Map<string, number>();
  const worst = new Map<string, number>();
  const lines = new Map<string, number>();
  for (const o of obs) {
    if (o.at < from) continue;
    if (o.signal === 'etcd.leader_change') changes.set(o.subject, (changes.get(o.subject) ?? 0) + (o.value ?? 1));
    else if ((o.signal === 'etcd.wal_fsync_p99' || o.signal === 'etcd.backend_commit_p99' || o.signal === 'etcd.put_latency') && o.value !== undefined) {
      const k = `${o.signal.replace('etcd.', 'max ')} ${o.subject} (ms)`;
      worst.set(k, Math.max(worst.get(k) ?? 0, Math.round(o.value)));
    } else if (o.signal === 'etcd.log') {
      const msg = (o.text ?? '').replace(/ \(took .*\)$/, '');
      lines.set(msg, (lines.get(msg) ?? 0) + 1);
    }
  }
  if (obs.some((o) => o.signal.startsWith('etcd.'))) out['leader changes'] = Math.max(0, ...changes.values());
  for (const [k, v] of [...worst].sort()) out[k] = v;
  for (const [k, v] of [...lines].sort((a, b) => b[1] - a[1]).slice(0, 8)) out[`log "${k}"`] = v;
  return out;
}
