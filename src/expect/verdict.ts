import type { ExpectationResult, Verdict } from './expectation.js';

/**
 * A scenario's verdict: invalid when the drill itself was not sound (baseline
 * unhealthy, fault not in effect, cleanup failed, interrupted, or an
 * expectation could not be judged); otherwise fail if any expectation failed;
 * otherwise pass. An empty list of expectations cannot pass.
 */
export function scenarioVerdict(invalidReasons: string[], results: ExpectationResult[]): { verdict: Verdict; reasons: string[] } {
  const reasons = [...invalidReasons];
  const unjudged = results.filter((r) => r.verdict === 'invalid');
  if (invalidReasons.length && unjudged.length > 1) {
    // the run's own reason (it never got to the fault, say) is why; each expectation still says so in its line
    reasons.push(`${unjudged.length} expectations could not be judged: ${unjudged.map((r) => r.name).join(', ')}`);
  } else {
    for (const r of unjudged) reasons.push(`${r.name}: ${r.detail}`);
  }
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
