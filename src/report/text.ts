import type { ScenarioReport } from './report.js';
import { formatDuration } from '../util/duration.js';

const MARK = { pass: 'PASS', fail: 'FAIL', invalid: 'INVALID' } as const;

/** The human summary of a drill, printed on stdout after it ran. */
export function formatReport(r: ScenarioReport): string {
  const out = [`${MARK[r.verdict]}  ${r.id} — ${r.title}  (${formatDuration(r.durationMs)})`];
  for (const why of r.reasons) out.push(`  reason: ${why}`);
  out.push(`  fault: ${r.fault.description}`);
  if (r.fault.evidence) out.push(`    ${r.fault.inEffect ? 'in effect' : 'NOT in effect'}: ${r.fault.evidence}`);
  for (const e of r.expectations) {
    const lat = e.latencyMs !== undefined ? `  latency ${formatDuration(e.latencyMs)}` : e.recoveryMs !== undefined ? `  recovery ${formatDuration(e.recoveryMs)}` : '';
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
