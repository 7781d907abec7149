import type { Expectation, ExpectationResult, Verdict } from '../expect/expectation.js';
import { scenarioVerdict } from '../expect/verdict.js';
import type { RunRecord } from './run-record.js';

export interface Judgement {
  results: ExpectationResult[];
  verdict: Verdict;
  reasons: string[];
}

/** Judges expectations over a record (pure: its observations, timeline, scope and probe results). */
export function judgeRecord(r: RunRecord, expectations: readonly Expectation[]): Judgement {
  const input = { observations: r.observations, timeline: r.timeline, scope: { faulty: new Set(r.faulty) }, probes: r.probes };
  const results = expectations.map((e) => e.judge(input));
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
