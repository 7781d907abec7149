import type { RunRecord } from '../record/run-record.js';
import { formatDuration } from '../util/duration.js';

const MARK = { pass: 'PASS', fail: 'FAIL', invalid: 'INVALID' } as const;

/** The human summary of a drill, printed on stdout after it ran (or by `kdrill report`). */
export function formatRun(r: RunRecord): string {
  const verdict = r.verdict ? MARK[r.verdict] : 'UNFINISHED';
  const out = [`${verdict}  ${r.scenario.id} — ${r.scenario.title}  (${r.durationMs !== undefined ? formatDuration(r.durationMs) : 'the run stopped before its end'})`];
  for (const why of r.reasons) out.push(`  reason: ${why}`);
  out.push(`  fault: ${r.fault.description}`);
  if (r.fault.evidence) out.push(`    ${r.fault.inEffect ? 'in effect' : 'NOT in effect'}: ${r.fault.evidence}`);
  // an invalid run's own reason says why its expectations were not judged: they are listed, not explained again
  const runInvalid = r.invalid.length > 0;
  for (const e of r.results) {
    const lat = e.latencyMs !== undefined ? `  latency ${formatDuration(e.latencyMs)}` : e.recoveryMs !== undefined ? `  recovery ${formatDuration(e.recoveryMs)}` : '';
    if (runInvalid && e.verdict === 'invalid') {
      out.push(`  ${'—'.padEnd(7)} ${e.name}  (not judged)`);
      continue;
    }
    out.push(`  ${MARK[e.verdict].padEnd(7)} ${e.name}${lat}`);
    out.push(`          ${e.detail}`);
  }
  for (const [name, p] of Object.entries(r.probes)) {
    out.push(`  probe ${name}: ${Object.entries(p.counts).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  const obs = Object.entries(r.observed);
  if (obs.length) out.push(`  observed: ${obs.map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  return out.join('\n');
}
