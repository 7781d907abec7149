import type { Condition } from '../signals/signal.js';
import { formatDuration, parseDuration, type Duration } from '../util/duration.js';
import { firstFiring, recoveryInstant } from './condition-state.js';
import type { Expectation, ExpectationResult, JudgeInput } from './expectation.js';

/**
 * detected(condition).within(T): after injection the condition fires within T.
 * Invalid if it already fired during the baseline (the drill could not tell
 * the fault's effect from what was there before); fail if it never fires, or
 * fires later than T.
 */
export function detected(condition: Condition) {
  return {
    within(t: Duration): Expectation {
      const withinMs = parseDuration(t, `detected(${condition.name}).within`);
      const name = `detected(${condition.name}).within(${formatDuration(withinMs)})`;
      return {
        kind: 'detected',
        name,
        conditions: [condition],
        probes: [],
        withinMs,
        judge({ observations, timeline, scope }: JudgeInput): ExpectationResult {
          const c = condition as Condition;
          const { injectedAt, revertedAt } = timeline;
          const before = firstFiring(observations, c, scope, timeline.baselineFrom, (injectedAt ?? timeline.endAt) - 1);
          if (before) {
            return { name, verdict: 'invalid', injectedAt, detail: `already firing before the fault, at baseline (${before.subject}: ${before.text ?? before.value})` };
          }
          if (injectedAt === undefined) return { name, verdict: 'invalid', detail: 'the fault was never injected' };
          // the fault's own window: until the revert, or until the remediation steps began
          const faultEnd = timeline.remediatedAt ?? revertedAt ?? timeline.endAt;
          const hit = firstFiring(observations, c, scope, injectedAt, faultEnd);
          if (!hit) {
            return { name, verdict: 'fail', injectedAt, detail: `never fired while the fault was in place (${formatDuration(faultEnd - injectedAt)})` };
          }
          const latencyMs = hit.at - injectedAt;
          const recoveredAt = c.kind === 'level' && revertedAt !== undefined ? recoveryInstant(observations, [c], scope, revertedAt) : undefined;
          const seen = `${hit.subject}: ${hit.text ?? (hit.value !== undefined ? Math.round(hit.value) : '')}`;
          return {
            name,
            verdict: latencyMs <= withinMs ? 'pass' : 'fail',
            injectedAt,
            detectedAt: hit.at,
            ...(hit.seen !== undefined ? { seenAt: hit.seen } : {}),
            ...(hit.source ? { source: hit.source } : {}),
            recoveredAt,
            latencyMs,
            detail: `detected after ${formatDuration(latencyMs)} (${seen})${latencyMs <= withinMs ? '' : `, later than ${formatDuration(withinMs)}`}`,
          };
        },
      };
    },
  };
}
