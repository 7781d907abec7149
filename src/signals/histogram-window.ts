import type { Sample } from '../util/prometheus-text.js';
import { CounterResets } from './counter-resets.js';

/** A cumulative histogram at one instant (reset-adjusted). */
export interface HistogramSnapshot {
  at: number;
  /** [upper bound, cumulative count], ascending; the last bound is +Inf. */
  buckets: [number, number][];
  count: number;
  sum: number;
}

export interface WindowStats {
  from: number;
  to: number;
  count: number;
  /** Mean in seconds (exact: Δsum / Δcount). */
  mean: number;
  /** Quantile in seconds, interpolated within a bucket as Prometheus' histogram_quantile does. */
  quantile(q: number): number;
}

/** Reads one histogram out of a scrape, adjusting its counters for resets. */
export function histogramSnapshot(samples: Sample[], name: string, at: number, resets: CounterResets, subject = ''): HistogramSnapshot | undefined {
  const buckets: [number, number][] = [];
  let count: number | undefined;
  let sum: number | undefined;
  for (const s of samples) {
    if (s.name === `${name}_bucket`) {
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      buckets.push([le, resets.adjust(`${subject}/${name}/le=${s.labels.le}`, s.value)]);
    } else if (s.name === `${name}_count`) count = resets.adjust(`${subject}/${name}/count`, s.value);
    else if (s.name === `${name}_sum`) sum = resets.adjust(`${subject}/${name}/sum`, s.value);
  }
  if (count === undefined || sum === undefined || buckets.length === 0) return undefined;
  buckets.sort((a, b) => a[0] - b[0]);
  return { at, buckets, count, sum };
}

/** Quantile of the observations between two snapshots of the same histogram. */
export function windowStats(older: HistogramSnapshot, newer: HistogramSnapshot): WindowStats | undefined {
  const count = newer.count - older.count;
  if (count <= 0) return undefined;
  const deltas: [number, number][] = newer.buckets.map(([le, c], i) => [le, c - (older.buckets[i]?.[1] ?? 0)]);
  return {
    from: older.at,
    to: newer.at,
    count,
    mean: (newer.sum - older.sum) / count,
    quantile(q: number): number {
      const rank = q * count;
      let prevLe = 0;
      let prevCount = 0;
      for (const [le, c] of deltas) {
        if (c >= rank) {
          if (le === Infinity) return prevLe;
          if (c === prevCount) return le;
          return prevLe + (le - prevLe) * ((rank - prevCount) / (c - prevCount));
        }
        prevLe = le;
        prevCount = c;
      }
      return prevLe;
    },
  };
}

/** Keeps recent snapshots and answers "over the last `windowMs`". */
export class HistogramWindow {
  private readonly snaps: HistogramSnapshot[] = [];
  constructor(readonly windowMs: number) {}

  add(s: HistogramSnapshot): void {
    this.snaps.push(s);
    // keep one snapshot at or before the window start
    while (this.snaps.length > 2 && this.snaps[1]!.at <= s.at - this.windowMs) this.snaps.shift();
  }

  stats(): WindowStats | undefined {
    if (this.snaps.length < 2) return undefined;
    return windowStats(this.snaps[0]!, this.snaps[this.snaps.length - 1]!);
  }
}
