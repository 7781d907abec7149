import { formatDuration, parseDuration, type Duration } from '../util/duration.js';
import type { Expectation, ExpectationResult, JudgeInput } from './expectation.js';

/**
 * recovers.within(T): after the revert, the steady state returns (every steady
 * condition and every level condition of the detected() expectations clear)
 * within T. The instant is computed by the runner from observations
 * (recoveryInstant) and recorded as timeline.recoveredAt.
 */
export const recovers = {
  within(t: Duration): Expectation {
    const withinMs = parseDuration(t, 'recovers.within');
    const name = `recovers.within(${formatDuration(withinMs)})`;
    return {
      kind: 'recovers',
      name,
      conditions: [],
      probes: [],
      withinMs,
      judge({ timeline }: JudgeInput): ExpectationResult {
        const { injectedAt, revertedAt, recoveredAt } = timeline;
        if (revertedAt === undefined || injectedAt === undefined) return { name, verdict: 'invalid', injectedAt, detail: 'the fault was never injected and reverted' };
        if (recoveredAt === undefined) return { name, verdict: 'fail', injectedAt, detail: `not recovered ${formatDuration(timeline.endAt - revertedAt)} after the revert` };
        const recoveryMs = recoveredAt - revertedAt;
        return {
          name,
          verdict: recoveryMs <= withinMs ? 'pass' : 'fail',
          injectedAt,
          recoveredAt,
          recoveryMs,
          detail: `recovered ${formatDuration(recoveryMs)} after the revert`,
        };
      },
    };
  },
};
