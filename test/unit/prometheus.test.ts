import { expect } from 'chai';
import { parsePrometheusText, findSample } from '../../src/util/prometheus-text.js';
import { CounterResets } from '../../src/signals/counter-resets.js';
import { histogramSnapshot, HistogramWindow, windowStats } from '../../src/signals/histogram-window.js';

const hist = (counts: number[], sum: number, count: number): string =>
  [
    '# HELP etcd_disk_wal_fsync_duration_seconds The latency distributions of fsync called by WAL.',
    '# TYPE etcd_disk_wal_fsync_duration_seconds histogram',
    ...[0.001, 0.002, 0.512, 1.024].map((le, i) => `etcd_disk_wal_fsync_duration_seconds_bucket{le="${le}"} ${counts[i]}`),
    `etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"} ${counts[4]}`,
    `etcd_disk_wal_fsync_duration_seconds_sum ${sum}`,
    `etcd_disk_wal_fsync_duration_seconds_count ${count}`,
    'etcd_server_id{server_id="8e9e05c52164694d"} 1',
    'etcd_network_active_peers{Local="8e9e05c52164694d",Remote="fd422379fda50e48"} 1',
  ].join('\n');

describe('Prometheus text and histograms', () => {
  it('parses samples with labels, +Inf and comments', () => {
    const s = parsePrometheusText(hist([1, 2, 3, 4, 4], 1.5, 4));
    expect(findSample(s, 'etcd_server_id')?.labels.server_id).to.equal('8e9e05c52164694d');
    expect(findSample(s, 'etcd_network_active_peers', { Remote: 'fd422379fda50e48' })?.value).to.equal(1);
    expect(findSample(s, 'etcd_disk_wal_fsync_duration_seconds_bucket', { le: '+Inf' })?.value).to.equal(4);
  });

  it('counter resets: a member restart does not make counts go backwards', () => {
    const r = new CounterResets();
    expect([10, 15, 3, 7].map((v) => r.adjust('x', v))).to.deep.equal([10, 15, 18, 22]);
    expect(r.resets).to.equal(1);
  });

  it('window mean is exact and p99 interpolates inside the bucket', () => {
    const r = new CounterResets();
    const a = histogramSnapshot(parsePrometheusText(hist([100, 100, 100, 100, 100], 0.05, 100)), 'etcd_disk_wal_fsync_duration_seconds', 0, r)!;
    // 4 new fsyncs, all between 0.512 and 1.024 s, summing to 3.2 s
    const b = histogramSnapshot(parsePrometheusText(hist([100, 100, 100, 104, 104], 3.25, 104)), 'etcd_disk_wal_fsync_duration_seconds', 5000, r)!;
    const w = windowStats(a, b)!;
    expect(w.count).to.equal(4);
    expect(w.mean).to.be.closeTo(0.8, 1e-9);
    expect(w.quantile(0.5)).to.be.closeTo(0.512 + 0.512 * 0.5, 1e-9);
    expect(w.quantile(0.99)).to.be.closeTo(0.512 + 0.512 * 0.99, 1e-9);
  });

  it('a window across a reset still counts only what happened in it', () => {
    const r = new CounterResets();
    const w = new HistogramWindow(10_000);
    w.add(histogramSnapshot(parsePrometheusText(hist([50, 50, 50, 50, 50], 0.02, 50)), 'etcd_disk_wal_fsync_duration_seconds', 0, r)!);
    // restart: counters start again; 2 fast fsyncs since
    w.add(histogramSnapshot(parsePrometheusText(hist([2, 2, 2, 2, 2], 0.001, 2)), 'etcd_disk_wal_fsync_duration_seconds', 1000, r)!);
    const s = w.stats()!;
    expect(s.count).to.equal(2);
    expect(s.mean).to.be.closeTo(0.0005, 1e-9);
  });

  it('a window with nothing in it has no stats', () => {
    const r = new CounterResets();
    const a = histogramSnapshot(parsePrometheusText(hist([1, 1, 1, 1, 1], 0.001, 1)), 'etcd_disk_wal_fsync_duration_seconds', 0, r)!;
    expect(windowStats(a, { ...a, at: 1000 })).to.equal(undefined);
  });
});
