/**
 * Closed-loop choice of a blkio write-iops limit that yields a requested WAL
 * fsync latency. fsync latency is roughly k / iops (each fdatasync costs a few
 * write I/Os), but the curve is steppy and noisy, so each step measures and
 * corrects proportionally, never trying the same value twice.
 */
export interface CalibrationStep {
  iops: number;
  /** Measured mean fsync (ms) over the window at this limit; undefined if no fsync completed. */
  meanMs: number | undefined;
  samples: number;
}

export type CalibrationDecision = { done: false; iops: number } | { done: true; iops: number; reached: boolean };

/** I/Os per fdatasync measured on these hosts (55 iops → 100 ms, 8 → 800 ms). */
const IOS_PER_FSYNC = 6;

export function initialIops(targetMs: number): number {
  return Math.max(1, Math.round((IOS_PER_FSYNC * 1000) / targetMs));
}

export function relativeError(meanMs: number | undefined, targetMs: number): number {
  return meanMs === undefined ? Infinity : Math.abs(meanMs - targetMs) / targetMs;
}

/**
 * Next limit to try, or done. `aim` is where the loop stops trying to improve
 * (inside the tolerance, so noise does not push the verified value out).
 */
export function nextIops(history: CalibrationStep[], targetMs: number, opts: { tolerance: number; aim: number; maxSteps: number }): CalibrationDecision {
  const last = history[history.length - 1];
  if (!last) return { done: false, iops: initialIops(targetMs) };
  const best = [...history].sort((a, b) => relativeError(a.meanMs, targetMs) - relativeError(b.meanMs, targetMs))[0]!;
  if (relativeError(last.meanMs, targetMs) <= opts.aim) return { done: true, iops: last.iops, reached: true };
  const giveUp = (): CalibrationDecision => ({ done: true, iops: best.iops, reached: relativeError(best.meanMs, targetMs) <= opts.tolerance });
  if (history.length >= opts.maxSteps || last.meanMs === undefined) return giveUp();
  // bracket: the highest limit measured too slow and the lowest measured fast enough
  const slow = history.filter((h) => h.meanMs !== undefined && h.meanMs > targetMs).map((h) => h.iops);
  const fast = history.filter((h) => h.meanMs !== undefined && h.meanMs <= targetMs).map((h) => h.iops);
  const lo = slow.length ? Math.max(...slow) : 0;
  const hi = fast.length ? Math.min(...fast) : Infinity;
  const estimate = Math.max(1, Math.round((last.iops * last.meanMs) / targetMs));
  const untried = (i: number): boolean => i > lo && i < hi && !history.some((h) => h.iops === i);
  let next = estimate;
  if (!untried(next)) {
    const candidates: number[] = [];
    for (let i = lo + 1; i < Math.min(hi, lo + 1000); i++) if (untried(i)) candidates.push(i);
    if (candidates.length === 0) return giveUp();
    next = candidates.sort((a, b) => Math.abs(a - estimate) - Math.abs(b - estimate))[0]!;
  }
  return { done: false, iops: next };
}
