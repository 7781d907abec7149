import { expect } from 'chai';
import { detected } from '../../src/expect/detected.js';
import { holds } from '../../src/expect/holds.js';
import { recovers } from '../../src/expect/recovers.js';
import { scenarioVerdict, exitCodeFor } from '../../src/expect/verdict.js';
import type { JudgeInput, Timeline } from '../../src/expect/expectation.js';
import type { Observation } from '../../src/signals/observation.js';
import type { Condition } from '../../src/signals/signal.js';
import type { Probe } from '../../src/probes/probe.js';

// A level condition "fsync above 100" and an event condition "log line", over hand-made observations.
const fsync: Condition = {
  name: 'fsync > 100',
  kind: 'level',
  sources: [],
  test: (o, scope) => (o.signal === 'fsync' && scope.faulty.has(o.subject) ? (o.value ?? 0) > 100 : undefined),
};
const logLine: Condition = { name: 'slow log', kind: 'event', sources: [], test: (o) => (o.signal === 'log' ? true : undefined) };
const fs = (at: number, value: number, subject = 'm2'): Observation => ({ signal: 'fsync', subject, at, value });

const T0 = 1_000_000;
const timeline = (over: Partial<Timeline> = {}): Timeline => ({
  baselineFrom: T0,
  injectedAt: T0 + 5_000,
  verifiedAt: T0 + 15_000,
  revertedAt: T0 + 40_000,
  recoveredAt: T0 + 46_000,
  endAt: T0 + 50_000,
  ...over,
});
const input = (observations: Observation[], over: Partial<Timeline> = {}, probes: JudgeInput['probes'] = {}): JudgeInput => ({
  observations,
  timeline: timeline(over),
  scope: { faulty: new Set(['m2']) },
  probes,
});

describe('judge: detected(signal).within(T)', () => {
  const exp = detected(fsync).within('30s');

  it('passes with latency = detectedAt − injectedAt, and reports when the signal cleared', () => {
    const obs = [fs(T0 + 1000, 1), fs(T0 + 4000, 2), fs(T0 + 7_950, 622), fs(T0 + 20_000, 900), fs(T0 + 41_000, 300), fs(T0 + 44_500, 3), fs(T0 + 45_000, 2)];
    const r = exp.judge(input(obs));
    expect(r.verdict).to.equal('pass');
    expect(r.injectedAt).to.equal(T0 + 5_000);
    expect(r.detectedAt).to.equal(T0 + 7_950);
    expect(r.latencyMs).to.equal(2_950);
    expect(r.recoveredAt).to.equal(T0 + 44_500);
  });

  it('fails when the signal never comes', () => {
    const r = exp.judge(input([fs(T0 + 1000, 1), fs(T0 + 8000, 2), fs(T0 + 30_000, 3)]));
    expect(r.verdict).to.equal('fail');
    expect(r.detectedAt).to.equal(undefined);
    expect(r.detail).to.match(/never fired/);
  });

  it('fails when detection comes later than T (latency still reported)', () => {
    const r = detected(fsync).within('10s').judge(input([fs(T0 + 1000, 1), fs(T0 + 5_000 + 10_001, 500)]));
    expect(r.verdict).to.equal('fail');
    expect(r.latencyMs).to.equal(10_001);
  });

  it('passes exactly at T (the bound is inclusive)', () => {
    const r = detected(fsync).within('10s').judge(input([fs(T0 + 1000, 1), fs(T0 + 15_000, 500)]));
    expect(r.verdict).to.equal('pass');
    expect(r.latencyMs).to.equal(10_000);
  });

  it('is invalid when the signal already fired during the baseline', () => {
    const r = exp.judge(input([fs(T0 + 1000, 700), fs(T0 + 8000, 900)]));
    expect(r.verdict).to.equal('invalid');
    expect(r.detail).to.match(/baseline/);
  });

  it('ignores firing on members the fault did not hit, and firing after the revert', () => {
    const r = exp.judge(input([fs(T0 + 1000, 1), fs(T0 + 6000, 900, 'm1'), fs(T0 + 41_000, 900)]));
    expect(r.verdict).to.equal('fail');
  });

  it('is invalid when the fault was never injected', () => {
    const r = exp.judge(input([fs(T0 + 1000, 1)], { injectedAt: undefined, revertedAt: undefined, recoveredAt: undefined }));
    expect(r.verdict).to.equal('invalid');
  });

  it('event conditions have no recovery instant', () => {
    const r = detected(logLine).within('30s').judge(input([{ signal: 'log', subject: 'm2', at: T0 + 9000, text: 'slow fdatasync' }]));
    expect(r).to.include({ verdict: 'pass', latencyMs: 4000, recoveredAt: undefined });
  });
});

describe('judge: holds(...).throughout()', () => {
  const probe: Probe = { name: 'writeIntegrity', needs: [], describe: () => '', start: async () => ({ stop: async () => undefined, verify: async () => ({ ok: true, conclusive: true, detail: '', counts: {} }) }) };
  const integrity = holds(probe).throughout();
  const res = (ok: boolean, conclusive = true) => ({ writeIntegrity: { ok, conclusive, detail: ok ? 'all present' : '1 missing', counts: { acknowledged: 10, present: ok ? 10 : 9 } } });

  it('passes, fails, or is invalid from the probe result', () => {
    expect(integrity.judge(input([], {}, res(true))).verdict).to.equal('pass');
    expect(integrity.judge(input([], {}, res(false))).verdict).to.equal('fail');
    expect(integrity.judge(input([], {}, res(true, false))).verdict).to.equal('invalid');
    expect(integrity.judge(input([], {}, {})).verdict).to.equal('invalid');
  });

  it('a condition that must not fire: pass, fail at the first violation, invalid without evidence', () => {
    const h = holds(fsync).throughout();
    expect(h.judge(input([fs(T0 + 1000, 1), fs(T0 + 9000, 5)])).verdict).to.equal('pass');
    const f = h.judge(input([fs(T0 + 1000, 1), fs(T0 + 9000, 500)]));
    expect(f).to.include({ verdict: 'fail', detectedAt: T0 + 9000, latencyMs: 4000 });
    expect(h.judge(input([fs(T0 + 1000, 1)])).verdict).to.equal('invalid');
  });
});

describe('judge: recovers.within(T)', () => {
  const exp = recovers.within('10s');
  it('recovery time = recoveredAt − revertedAt', () => {
    const r = exp.judge(input([]));
    expect(r).to.include({ verdict: 'pass', recoveryMs: 6000, recoveredAt: T0 + 46_000 });
  });
  it('fails when recovery is late or never seen', () => {
    expect(exp.judge(input([], { recoveredAt: T0 + 50_001 })).verdict).to.equal('fail');
    expect(exp.judge(input([], { recoveredAt: undefined })).verdict).to.equal('fail');
  });
  it('is invalid without a revert', () => {
    expect(exp.judge(input([], { revertedAt: undefined, recoveredAt: undefined })).verdict).to.equal('invalid');
  });
});

describe('scenario verdict and exit code', () => {
  const r = (verdict: 'pass' | 'fail' | 'invalid') => ({ name: 'x', verdict, detail: 'd' });
  it('pass only when every expectation passed and the drill was sound', () => {
    expect(scenarioVerdict([], [r('pass'), r('pass')]).verdict).to.equal('pass');
    expect(scenarioVerdict([], [r('pass'), r('fail')]).verdict).to.equal('fail');
    expect(scenarioVerdict([], [r('fail'), r('invalid')]).verdict).to.equal('invalid');
    expect(scenarioVerdict(['fault not in effect'], [r('pass')])).to.deep.equal({ verdict: 'invalid', reasons: ['fault not in effect'] });
    expect(scenarioVerdict([], []).verdict).to.equal('invalid');
    // a run that stopped before the fault gives its own reason once: the expectations it left unjudged are not
    // more reasons (they say "not judged" on their own lines of the report)
    const named = (name: string) => ({ name, verdict: 'invalid' as const, detail: 'the fault was never injected' });
    expect(scenarioVerdict(['error: cluster kdrill-x is in use'], [named('a'), named('b')]).reasons).to.deep.equal(['error: cluster kdrill-x is in use']);
    expect(scenarioVerdict([], [named('a'), named('b')]).reasons).to.deep.equal(['a: the fault was never injected', 'b: the fault was never injected']);
  });
  it('exit codes: 0 pass, 1 fail, 2 invalid', () => {
    expect(exitCodeFor(['pass', 'pass'])).to.equal(0);
    expect(exitCodeFor(['pass', 'fail'])).to.equal(1);
    expect(exitCodeFor(['fail', 'invalid'])).to.equal(2);
    expect(exitCodeFor([])).to.equal(2);
  });
});
