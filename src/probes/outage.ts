import { formatDuration } from '../util/duration.js';
import type { FaultWindow, ProbeResult } from './probe.js';

export interface Call {
  at: number;
  ok: boolean;
  ms: number;
  err?: string;
}

/** Judges periodic calls over the fault window: answered counts, longest outage, p99 of answers. */
export function judgeOutage(what: string, calls: Call[], window: FaultWindow, maxOutageMs: number): ProbeResult {
  const inWindow = calls.filter((c) => c.at >= window.from && c.at <= window.to);
  const failed = inWindow.filter((c) => !c.ok);
  let longest = 0;
  let streakStart: number | undefined;
  for (const c of inWindow) {
    if (!c.ok) streakStart ??= c.at;
    else if (streakStart !== undefined) {
      longest = Math.max(longest, c.at - streakStart);
      streakStart = undefined;
    }
  }
  if (streakStart !== undefined) longest = Math.max(longest, window.to - streakStart);
  const lat = inWindow.filter((c) => c.ok).map((c) => c.ms).sort((a, b) => a - b);
  const p99 = lat.length ? lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))]! : NaN;
  return {
    ok: longest <= maxOutageMs,
    conclusive: inWindow.length >= 10,
    detail:
      `${inWindow.length - failed.length}/${inWindow.length} ${what} answered during the fault, longest outage ${formatDuration(longest)} ` +
      `(allowed ${formatDuration(maxOutageMs)}), p99 ${Number.isFinite(p99) ? formatDuration(p99) : '—'}${failed.length ? `; first error: ${failed[0]!.err}` : ''}`,
    counts: { calls: inWindow.length, answered: inWindow.length - failed.length, failed: failed.length, longestOutageMs: Math.round(longest), p99Ms: Math.round(p99) },
  };
}

/** Calls `call` every `everyMs` until stopped, recording each result. */
export function callLoop(call: () => Promise<Omit<Call, 'at'>>, everyMs: number, abort: AbortSignal, onCall?: (c: Call) => void) {
  const calls: Call[] = [];
  let stopped = false;
  const once = async (): Promise<Call> => {
    const c = { at: Date.now(), ...(await call()) };
    calls.push(c);
    onCall?.(c);
    return c;
  };
  const loop = (async () => {
    while (!stopped && !abort.aborted) {
      const { at } = await once();
      await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (Date.now() - at))));
    }
  })();
  return {
    calls,
    /** one call outside the loop's rhythm (e.g. a last one after stop), recorded like the others */
    once,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
