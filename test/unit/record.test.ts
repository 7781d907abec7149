import { expect } from 'chai';
import { parseRecord } from '../../src/record/read.js';
import { judgeRecord, judgeSteps, rejudge } from '../../src/record/judge.js';
import { applyEvent, emptyRecord, type RunEvent } from '../../src/record/run-record.js';
import { advanceCalm, noCalmReason, unobserved } from '../../src/expect/calm.js';
import { detected } from '../../src/expect/detected.js';
import { holds } from '../../src/expect/holds.js';
import type { Condition } from '../../src/signals/signal.js';
import type { Observation } from '../../src/signals/observation.js';

const T0 = 1_800_000_000_000;
const src = { key: 'fsync', needs: [], start: async () => ({ stop: async () => undefined }) };
const fsync: Condition = {
  name: 'WAL fsync p99 > 100ms',
  kind: 'level',
  sources: [src],
  threshold: { value: 100, unit: 'ms' },
  test: (o) => (o.signal === 'fsync' ? (o.value ?? 0) > 100 : undefined),
};
const obs = (at: number, v: number, subject = 'm1'): Observation => ({ signal: 'fsync', subject, at: T0 + at, value: v });

function record(events: RunEvent[]) {
  const r = emptyRecord();
  for (const e of events) applyEvent(r, e);
  return r;
}

const base: RunEvent[] = [
  { e: 'run', v: 1, runId: 'x-1', at: T0, scenario: { id: 'x', title: 't', incident: 'i' }, target: 'p', fault: 'f', expectations: [] },
  { e: 'source', key: 'fsync', clock: { kind: 'poll', periodMs: 500 } },
  { e: 'timeline', at: T0, field: 'baselineFrom', value: T0 },
  { e: 'obs', ...obs(1000, 5) },
  { e: 'timeline', at: T0, field: 'injectedAt', value: T0 + 5000 },
  { e: 'obs', ...obs(6000, 900) },
  { e: 'obs', ...obs(20000, 5) },
  { e: 'timeline', at: T0, field: 'revertedAt', value: T0 + 15000 },
  { e: 'timeline', at: T0, field: 'recoveredAt', value: T0 + 20000 },
];

describe('the run record', () => {
  it('is read back from JSON Lines, a killed run\'s cut-short last line included (complete: false)', () => {
    const lines = base.map((e) => JSON.stringify(e)).join('\n');
    const cut = `${lines}\n{"e":"obs","signal":"fsy`;
    const r = parseRecord(cut, 'killed.jsonl');
    expect(r.complete).to.equal(false);
    expect(r.observations).to.have.length(3);
    expect(r.timeline.injectedAt).to.equal(T0 + 5000);
    expect(() => parseRecord('{"e":"obs"}\n', 'x')).to.throw(/expected the "run" event first/);
    expect(() => parseRecord('{"e":"run","v":99}\n', 'x')).to.throw(/record version 99/);
    expect(() => parseRecord('not json\n{}\n{}\n', 'x')).to.throw(/line 1 is not JSON/);
  });

  it('re-judges a variant over the recorded observations; a variant needing a watcher the run lacked is invalid, saying which', () => {
    const r = record(base);
    expect(judgeRecord(r, [detected(fsync).within('5s')]).verdict).to.equal('pass');
    expect(rejudge(r, [detected({ ...fsync, test: (o) => (o.signal === 'fsync' ? (o.value ?? 0) > 60_000 : undefined) }).within('5s')]).verdict).to.equal('fail');
    const other: Condition = { ...fsync, name: 'other', sources: [{ ...src, key: 'never-ran' }] };
    const j = rejudge(r, [detected(other).within('5s')]);
    expect(j.verdict).to.equal('invalid');
    expect(j.results[0]!.detail).to.match(/watcher never-ran did not run/);
  });

  it("judges a remediation step over its own window, with the subjects its action touched as the faulty ones; the fault's holds skip the steps", () => {
    const r = record([
      ...base.slice(0, 5),
      { e: 'obs', ...obs(6000, 900) },
      { e: 'timeline', at: T0, field: 'remediatedAt', value: T0 + 8000 },
      { e: 'step', index: 0, title: 'fix one', startedAt: T0 + 8000, endedAt: T0 + 12000, inEffect: true, evidence: 'e', subjects: ['m2'] },
      { e: 'obs', ...obs(9000, 5, 'm2') },
      { e: 'obs', ...obs(9500, 900, 'm1') },
      { e: 'timeline', at: T0, field: 'remediatedUntil', value: T0 + 12000 },
    ]);
    const steps = [{ title: 'fix one', expect: [holds({ ...fsync, test: (o, s) => (o.signal === 'fsync' && s.faulty.has(o.subject) ? (o.value ?? 0) > 100 : undefined) }).throughout()] }];
    const res = judgeSteps(r, steps);
    expect(res[0]!.verdict).to.equal('pass');
    expect(res[0]!.name).to.match(/^\[step 1: fix one\] /);
    // a step that never ran leaves its expectations invalid
    expect(judgeSteps(record(base), steps)[0]!.verdict).to.equal('invalid');
  });
});

describe('the calm baseline', () => {
  it('a break restarts the window; the reason names the measured value and the threshold', () => {
    const o = [obs(1000, 5), obs(3000, 125, 'kdrill-x-control-plane'), obs(4000, 5), obs(9000, 5)];
    let st = { from: T0, longestMs: 0, breaks: [] as never[] } as Parameters<typeof advanceCalm>[0];
    st = advanceCalm(st, o, [fsync], { faulty: new Set() }, T0 + 10_000);
    expect(st.from).to.equal(T0 + 3001);
    expect(st.longestMs).to.equal(3000);
    expect(unobserved(o, [fsync], { faulty: new Set() }, st.from, T0 + 10_000)).to.deep.equal([]);
    const reason = noCalmReason(st, 15_000, 180_000, T0 + 10_000, []);
    expect(reason).to.match(/^baseline: no calm 15\.0s within 3m: the last break: WAL fsync p99 > 100ms \(kdrill-x-control-plane: measured 125 ms, threshold 100 ms\)/);
    expect(reason).to.match(/longest calm 7\.00s/);
  });
  it('a steady condition nobody observes keeps the baseline from being calm, and says so', () => {
    expect(unobserved([], [fsync], { faulty: new Set() }, T0, T0 + 10_000)).to.deep.equal([fsync]);
    expect(noCalmReason({ from: T0, longestMs: 0, breaks: [] }, 10_000, 60_000, T0 + 60_000, [fsync])).to.match(/no observation for WAL fsync p99 > 100ms: its watcher sees nothing/);
  });
});
