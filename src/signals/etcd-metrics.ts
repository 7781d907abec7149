import { etcdOf } from '../targets/target.js';
import { sleep } from '../util/sleep.js';
import type { Source } from './signal.js';
import { CounterResets } from './counter-resets.js';
import { HistogramWindow, histogramSnapshot } from './histogram-window.js';
import { findSample, parsePrometheusText } from '../util/prometheus-text.js';

/** Scrape period: /metrics has no watch, so it is polled, at ≤ 1 s. */
export const SCRAPE_MS = 500;
/** Quantiles are over the observations of the last WINDOW_MS. */
export const WINDOW_MS = 5000;

export const HISTOGRAMS = {
  'etcd.wal_fsync_p99': 'etcd_disk_wal_fsync_duration_seconds',
  'etcd.backend_commit_p99': 'etcd_disk_backend_commit_duration_seconds',
} as const;

/**
 * Scrapes every member's /metrics every 0.5 s and emits, per member:
 * etcd.scrape (1 answered / 0 not), etcd.has_leader, etcd.is_leader,
 * etcd.wal_fsync_p99 and etcd.backend_commit_p99 (ms, over the last 5 s),
 * etcd.leader_changes (reset-adjusted total) and an etcd.leader_change event
 * whenever that total grows, and etcd.counter_reset when the member restarted.
 */
export function etcdMetricsSource(): Source {
  return {
    key: 'etcd-metrics',
    needs: ['etcd'],
    clock: { kind: 'poll', periodMs: SCRAPE_MS },
    async start({ target, log, abort }) {
      let stopped = false;
      const state = etcdOf(target).members.map((m) => ({
        m,
        resets: new CounterResets(),
        windows: Object.fromEntries(Object.keys(HISTOGRAMS).map((k) => [k, new HistogramWindow(WINDOW_MS)])) as Record<string, HistogramWindow>,
        leaderChanges: undefined as number | undefined,
      }));
      const scrapeOne = async (s: (typeof state)[number]): Promise<void> => {
        let text: string;
        try {
          text = await s.m.metrics();
        } catch {
          log.emit({ signal: 'etcd.scrape', subject: s.m.name, at: Date.now(), value: 0 });
          return;
        }
        const at = Date.now();
        const samples = parsePrometheusText(text);
        const subject = s.m.name;
        log.emit({ signal: 'etcd.scrape', subject, at, value: 1 });
        for (const name of ['etcd_server_has_leader', 'etcd_server_is_leader'] as const) {
          const v = findSample(samples, name)?.value;
          if (v !== undefined) log.emit({ signal: name === 'etcd_server_has_leader' ? 'etcd.has_leader' : 'etcd.is_leader', subject, at, value: v });
        }
        const resetsBefore = s.resets.resets;
        for (const [signal, metric] of Object.entries(HISTOGRAMS)) {
          const snap = histogramSnapshot(samples, metric, at, s.resets, subject);
          if (!snap) continue;
          s.windows[signal]!.add(snap);
          const w = s.windows[signal]!.stats();
          if (w) log.emit({ signal, subject, at, value: w.quantile(0.99) * 1000 });
        }
        const lc = findSample(samples, 'etcd_server_leader_changes_seen_total');
        if (lc) {
          const total = s.resets.adjust(`${subject}/leader_changes`, lc.value);
          if (s.leaderChanges !== undefined && total > s.leaderChanges) {
            log.emit({ signal: 'etcd.leader_change', subject, at, value: total - s.leaderChanges });
          }
          s.leaderChanges = total;
          log.emit({ signal: 'etcd.leader_changes', subject, at, value: total });
        }
        if (s.resets.resets > resetsBefore) log.emit({ signal: 'etcd.counter_reset', subject, at, value: s.resets.resets });
      };
      const loop = (async () => {
        while (!stopped && !abort.aborted) {
          const t = Date.now();
          await Promise.all(state.map(scrapeOne));
          await sleep(Math.max(0, SCRAPE_MS - (Date.now() - t)), abort);
        }
      })();
      return {
        async stop() {
          stopped = true;
          await loop;
        },
      };
    },
  };
}
