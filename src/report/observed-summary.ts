import type { Observation } from '../signals/observation.js';
import type { Timeline } from '../expect/expectation.js';

/**
 * Headline numbers of a run from its observations, over injection → end:
 * leader changes (how often a different member became the only one reporting
 * itself leader — etcd_server_leader_changes_seen_total also counts a
 * restarted member's first sight of the same leader), worst fsync/commit p99 and
 * client put latency per member, and how often each warning line appeared.
 */
export function observedSummary(obs: readonly Observation[], t: Timeline): Record<string, number | string> {
  const from = t.injectedAt ?? t.endAt;
  const out: Record<string, number | string> = {};
  let leader: string | undefined; // the last member that was the only one reporting itself leader
  let leaderChanges = 0;
  const claims = new Map<string, boolean>();
  const worst = new Map<string, number>();
  const lines = new Map<string, number>();
  for (const o of obs) {
    if (o.signal === 'etcd.is_leader') {
      claims.set(o.subject, o.value === 1);
      const now = [...claims].filter(([, v]) => v).map(([k]) => k);
      if (now.length === 1 && now[0] !== leader) {
        if (leader !== undefined && o.at >= from) leaderChanges++;
        leader = now[0];
      }
    }
    if (o.at < from) continue;
    if ((o.signal === 'etcd.wal_fsync_p99' || o.signal === 'etcd.backend_commit_p99' || o.signal === 'etcd.put_latency') && o.value !== undefined) {
      const k = `${o.signal.replace('etcd.', 'max ')} ${o.subject} (ms)`;
      worst.set(k, Math.max(worst.get(k) ?? 0, Math.round(o.value)));
    } else if (o.signal === 'etcd.log') {
      const msg = (o.text ?? '').replace(/ \(took .*\)$/, '');
      lines.set(msg, (lines.get(msg) ?? 0) + 1);
    }
  }
  if (leader !== undefined) out['leader changes'] = leaderChanges;
  for (const [k, v] of [...worst].sort()) out[k] = v;
  for (const [k, v] of [...lines].sort((a, b) => b[1] - a[1]).slice(0, 8)) out[`log "${k}"`] = v;
  return out;
}
