import type { Expectation, ExpectationResult, Verdict } from '../expect/expectation.js';
import { scenarioVerdict } from '../expect/verdict.js';
import type { RunRecord } from './run-record.js';

export interface Judgement {
  results: ExpectationResult[];
  verdict: Verdict;
  reasons: string[];
}

/**
 * A remediation step's expectations, judged over the step's own window (its
 * action's start to the next step's), the subjects its action touched being
 * "faulty". A step that never ran leaves its expectations invalid.
 */
export function judgeSteps(r: RunRecord, steps: readonly { title: string; expect: readonly Expectation[] }[]): ExpectationResult[] {
  return steps.flatMap((st, i): ExpectationResult[] => {
    const rec = r.steps[i];
    const label = (name: string) => `[step ${i + 1}: ${st.title}] ${name}`;
    if (!rec || rec.endedAt === undefined || !rec.inEffect) {
      return st.expect.map((e) => ({ name: label(e.name), verdict: 'invalid' as const, detail: rec ? `the step's action was not in effect: ${rec.evidence ?? ''}` : 'the step did not run' }));
    }
    const timeline = { baselineFrom: rec.startedAt, injectedAt: rec.startedAt, verifiedAt: rec.verifiedAt, revertedAt: rec.endedAt, endAt: rec.endedAt };
    const input = { observations: r.observations, timeline, scope: { faulty: new Set(rec.subjects) }, probes: r.probes };
    return st.expect.map((e) => {
      const res = e.judge(input);
      return { ...res, name: label(res.name) };
    });
  });
}

/** Judges expectations (and remediation steps) over a record (pure: its observations, timeline, scope and probe results). */
export function judgeRecord(r: RunRecord, expectations: readonly Expectation[], steps: readonly { title: string; expect: readonly Expectation[] }[] = []): Judgement {
  const input = { observations: r.observations, timeline: r.timeline, scope: { faulty: new Set(r.faulty) }, probes: r.probes };
  const results = [...expectations.map((e) => e.judge(input)), ...judgeSteps(r, steps)];
  return { results, ...scenarioVerdict(r.invalid, results) };
}

/**
 * Judges other expectations over a real run's record, instead of running the
 * drill again: how a variant that changes only what is expected (an
 * impossible threshold, a deadline too short) is tested. A variant that needs
 * a watcher or a probe the run did not have cannot be judged from the record:
 * those expectations are invalid, saying which.
 */
export function rejudge(r: RunRecord, expectations: readonly Expectation[]): Judgement {
  const recorded = new Set(r.sources.map((s) => s.key));
  const judged = judgeRecord(r, expectations);
  const results = judged.results.map((res, i) => {
    const e = expectations[i]!;
    const missing = [...new Set(e.conditions.flatMap((c) => c.sources.map((s) => s.key)).filter((k) => !recorded.has(k)))];
    const probes = e.probes.map((p) => p.name).filter((n) => !(n in r.probes));
    if (!missing.length && !probes.length) return res;
    return { ...res, verdict: 'invalid' as const, detail: `cannot be judged from ${r.runId}'s record: ${[...missing.map((k) => `watcher ${k}`), ...probes.map((p) => `probe ${p}`)].join(', ')} did not run` };
  });
  return { results, ...scenarioVerdict(r.invalid, results) };
}
