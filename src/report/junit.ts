import type { RunRecord } from '../record/run-record.js';
import { formatDuration } from '../util/duration.js';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
const secs = (ms: number | undefined): string => ((ms ?? 0) / 1000).toFixed(3);

/**
 * JUnit XML for CI: one testsuite per drill, one testcase per expectation
 * (remediation steps' included). A failed expectation is a <failure> saying
 * what was expected and what was seen; an invalid drill's expectations are
 * <error>s (one per testcase, the drill's reason once, in the suite's
 * system-out and properties); the fault's evidence and the reasons go in
 * system-out. A testcase's time is its detection latency, or the recovery
 * time, or the fault's window for what had to hold.
 */
export function toJUnit(records: RunRecord[]): string {
  const suites = records.map((r) => {
    const invalidRun = r.verdict === 'invalid' && r.invalid.length > 0;
    const window = (r.timeline.revertedAt ?? r.timeline.endAt) - (r.timeline.injectedAt ?? r.timeline.endAt);
    const cases = r.results.map((e) => {
      const time = e.latencyMs ?? e.recoveryMs ?? (e.verdict === 'pass' ? window : 0);
      const body =
        e.verdict === 'fail'
          ? `<failure type="fail" message="${esc(`expected: ${e.name}; seen: ${e.detail}`)}">${esc(e.detail)}</failure>`
          : e.verdict === 'invalid'
            ? `<error type="invalid" message="${esc(invalidRun ? `not judged: the drill was invalid (${r.invalid[0]})` : `could not be judged: ${e.detail}`)}">${esc(invalidRun ? r.invalid.join('\n') : e.detail)}</error>`
            : '';
      return `    <testcase classname="kdrill.${esc(r.scenario.id)}" name="${esc(e.name)}" time="${secs(Math.max(0, time))}">${body}</testcase>`;
    });
    const failures = r.results.filter((e) => e.verdict === 'fail').length;
    const errors = r.results.filter((e) => e.verdict === 'invalid').length;
    const props = [
      ['verdict', r.verdict ?? 'unfinished'],
      ['runId', r.runId],
      ['target', r.target.description ?? r.target.provider],
      ['fault', r.fault.description],
      ...(r.scenario.source ? [['source', `${r.scenario.source.title} — ${r.scenario.source.url}`]] : []),
      ...r.invalid.map((x, i) => [`invalid.${i + 1}`, x]),
    ];
    const out = [
      `verdict: ${r.verdict ?? 'unfinished (the run stopped before its end)'}`,
      ...r.reasons.map((x) => `reason: ${x}`),
      `fault: ${r.fault.description}`,
      ...(r.fault.evidence ? [`${r.fault.inEffect ? 'in effect' : 'NOT in effect'}: ${r.fault.evidence}`] : []),
      ...r.steps.map((st) => `step ${st.index + 1}: ${st.title}: ${st.evidence ?? ''}`),
      ...Object.entries(r.probes).map(([k, p]) => `probe ${k}: ${p.detail}`),
      ...(r.durationMs !== undefined ? [`duration: ${formatDuration(r.durationMs)}`] : []),
    ].join('\n');
    return [
      `  <testsuite name="${esc(r.scenario.id)}" tests="${r.results.length}" failures="${failures}" errors="${errors}" skipped="0" time="${secs(r.durationMs)}" timestamp="${new Date(r.startedAt || Date.now()).toISOString().replace(/\.\d+Z$/, '')}">`,
      `    <properties>`,
      ...props.map(([k, v]) => `      <property name="${esc(k!)}" value="${esc(v!)}"/>`),
      `    </properties>`,
      ...cases,
      `    <system-out>${esc(out)}</system-out>`,
      `  </testsuite>`,
    ].join('\n');
  });
  const n = (f: (r: RunRecord) => number) => records.reduce((a, r) => a + f(r), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kdrill" tests="${n((r) => r.results.length)}" failures="${n((r) => r.results.filter((e) => e.verdict === 'fail').length)}" errors="${n((r) => r.results.filter((e) => e.verdict === 'invalid').length)}" time="${secs(n((r) => r.durationMs ?? 0))}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
