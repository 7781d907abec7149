import type { ExpectationResult, Verdict } from './expectation.js';

/**
 * A scenario's verdict: invalid when the drill itself was not sound (baseline
 * unhealthy, fault not in effect, cleanup failed, interrupted, or an
 * expectation could not be judged); otherwise fail if any expectation failed;
 * otherwise pass. An empty list of expectations cannot pass.
 */
export function scenarioVerdict(invalidReasons: string[], results: ExpectationResult[]): { verdict: Verdict; reasons: string[] } {
  const reasons = [...invalidReasons];
  // the run's own reason (it never got to the fault, say) is the reason: the expectations it left unjudged
  // follow from it and say so on their own lines, not as more reasons
  if (!invalidReasons.length) for (const r of results.filter((x) => x.verdict === 'invalid')) reasons.push(`${r.name}: ${r.detail}`);
  if (results.length === 0) reasons.push('no expectation was judged');
  if (reasons.length) return { verdict: 'invalid', reasons };
  const failed = results.filter((r) => r.verdict === 'fail');
  if (failed.length) return { verdict: 'fail', reasons: failed.map((r) => `${r.name}: ${r.detail}`) };
  return { verdict: 'pass', reasons: [] };
}

export function exitCodeFor(verdicts: Verdict[]): number {
  if (verdicts.length === 0 || verdicts.includes('invalid')) return 2;
  if (verdicts.includes('fail')) return 1;
  return 0;
}
