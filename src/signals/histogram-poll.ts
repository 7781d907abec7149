import { CounterResets } from './counter-resets.js';
import { histogramSnapshot, windowStats, type HistogramSnapshot, type WindowStats } from './histogram-window.js';
import { parsePrometheusText } from '../util/prometheus-text.js';
import { sleep } from '../util/sleep.js';

const POLL_MS = 500;


/**
 * Measures one histogram of one /metrics endpoint over a window that starts
 * after the next observation completes (so a sample in flight when the window
 * opened is not counted) and lasts until `minSamples` new observations and
 * `minMs` have passed, or `maxMs`. /metrics only exists as polling: every 0.5 s.
 */
export async function measureHistogram(
  scrape: () => Promise<string>,
  name: string,
  opts: { minSamples: number; minMs: number; maxMs: number; signal?: AbortSignal },
): Promise<WindowStats | undefined> {
  const resets = new CounterResets();
  const deadline = Date.now() + opts.maxMs;
  const snap = async (): Promise<HistogramSnapshot | undefined> => {
    try {
      return histogramSnapshot(parsePrometheusText(await scrape()), name, Date.now(), resets);
    } catch {
      return undefined;
    }
  };
  let first = await snap();
  while (!opts.signal?.aborted && Date.now() < deadline) {
    await sleep(POLL_MS, opts.signal);
    const s = await snap();
    if (!s) continue;
    if (!first) {
      first = s;
      continue;
    }
    if (s.count > first.count) {
      first = s;
      break;
    }
  }
  let last: WindowStats | undefined;
  while (first && !opts.signal?.aborted && Date.now() < deadline) {
    await sleep(POLL_MS, opts.signal);
    const s = await snap();
    if (!s) continue;
    last = windowStats(first, s) ?? last;
    if (last && last.count >= opts.minSamples && s.at - first.at >= opts.minMs) return last;
  }
  return last;
}
