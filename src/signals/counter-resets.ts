/**
 * Makes Prometheus counters monotonic across process restarts: when a series
 * goes down (etcd restarted and its counters began again at 0), everything
 * counted before the reset is kept as an offset.
 */
export class CounterResets {
  private readonly last = new Map<string, number>();
  private readonly offset = new Map<string, number>();
  resets = 0;

  /** Returns the reset-adjusted cumulative value of `series`. */
  adjust(series: string, value: number): number {
    const prev = this.last.get(series);
    let off = this.offset.get(series) ?? 0;
    if (prev !== undefined && value < prev) {
      off += prev;
      this.offset.set(series, off);
      this.resets++;
    }
    this.last.set(series, value);
    return value + off;
  }
}
