import type { Condition } from '../signals/signal.js';
import type { Probe } from '../probes/probe.js';
import { firstFiring } from './condition-state.js';
import type { Expectation, ExpectationResult, JudgeInput } from './expectation.js';

function isProbe(x: Probe | Condition): x is Probe {
  return typeof (x as Probe).start === 'function';
}

/**
 * holds(probe).throughout(): the probe's promise (e.g. acknowledged writes
 * survive) is kept across the fault — judged after recovery; invalid if the
 * probe saw too little to judge.
 * holds(condition).throughout() with a "bad" condition: it never fires from
 * injection to recovery (or to the end); invalid if it fired at baseline.
 */
export function holds(what: Probe | Condition) {
  return {
    throughout(): Expectation {
      if (isProbe(what)) {
        const name = `holds(${what.name}).throughout()`;
        return {
          kind: 'holds',
          name,
          conditions: [],
          probes: [what],
          judge({ timeline, probes }: JudgeInput): ExpectationResult {
            const r = probes[what.name];
            const base = { name, injectedAt: timeline.injectedAt, recoveredAt: timeline.recoveredAt };
            if (!r) return { ...base, verdict: 'invalid', detail: 'the probe was not verified (the run stopped before recovery)' };
            if (!r.conclusive) return { ...base, verdict: 'invalid', detail: r.detail };
            return { ...base, verdict: r.ok ? 'pass' : 'fail', detail: r.detail };
          },
        };
      }
      const c = what as Condition;
      const name = `holds(not ${c.name}).throughout()`;
      return {
        kind: 'holds',
        name,
        conditions: [what],
        probes: [],
        judge({ observations, timeline, scope }: JudgeInput): ExpectationResult {
          const { injectedAt } = timeline;
          const base = { name, injectedAt, recoveredAt: timeline.recoveredAt };
          const before = firstFiring(observations, c, scope, timeline.baselineFrom, (injectedAt ?? timeline.endAt) - 1);
          if (before) return { ...base, verdict: 'invalid', detail: `already violated at baseline (${before.subject})` };
          if (injectedAt === undefined) return { ...base, verdict: 'invalid', detail: 'the fault was never injected' };
          const until = timeline.recoveredAt ?? timeline.endAt;
          // remediation steps are judged on their own: what they disrupt on purpose is not the fault's doing
          const inSteps = (o: { at: number }) => timeline.remediatedAt !== undefined && o.at >= timeline.remediatedAt && o.at <= (timeline.remediatedUntil ?? until);
          const judged = observations.filter((o) => !inSteps(o));
          const seen = judged.some((o) => o.at >= injectedAt && o.at <= until && c.test(o, scope) === false);
          const bad = firstFiring(judged, c, scope, injectedAt, until);
          if (bad) return { ...base, verdict: 'fail', detectedAt: bad.at, latencyMs: bad.at - injectedAt, detail: `violated at +${bad.at - injectedAt}ms (${bad.subject}: ${bad.text ?? bad.value})` };
          if (!seen) return { ...base, verdict: 'invalid', detail: 'no observation during the fault: cannot tell whether it held' };
          return { ...base, verdict: 'pass', detail: 'never violated from injection to recovery' };
        },
      };
    },
  };
}
