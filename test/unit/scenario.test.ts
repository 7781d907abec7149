import { expect } from 'chai';
import { defineScenario, type ScenarioSpec } from '../../src/scenario.js';
import { detected } from '../../src/expect/detected.js';
import { recovers } from '../../src/expect/recovers.js';
import { KdrillError } from '../../src/util/errors.js';
import type { Target } from '../../src/targets/target.js';
import type { Condition } from '../../src/signals/signal.js';

const cond: Condition<Target> = { name: 'c', kind: 'level', sources: [], test: () => undefined };
const good = (): ScenarioSpec<Target> => ({
  id: 'etcd-test',
  title: 't',
  incident: 'i',
  target: { name: 'p', provision: async () => ({ kind: 'x', describe: () => 'x', teardown: async () => undefined }) },
  fault: { name: 'f', describe: () => 'f', inject: async () => { throw new Error('unused'); } },
  expect: [detected(cond).within('10s'), recovers.within('1m')],
});

function fieldError(patch: Record<string, unknown>): string {
  try {
    defineScenario({ ...good(), ...patch } as ScenarioSpec<Target>);
  } catch (e) {
    expect(e).to.be.instanceOf(KdrillError);
    return (e as Error).message;
  }
  throw new Error('expected defineScenario to refuse it');
}

describe('defineScenario', () => {
  it('fills defaults', () => {
    const s = defineScenario(good());
    expect(s).to.include({ id: 'etcd-test', baselineMs: 5000, holdMs: 10_000 });
  });
  it('names the malformed field', () => {
    expect(fieldError({ id: 'Bad Id' })).to.match(/field "id"/);
    expect(fieldError({ title: '' })).to.match(/field "title"/);
    expect(fieldError({ target: {} })).to.match(/field "target"/);
    expect(fieldError({ fault: undefined })).to.match(/field "fault"/);
    expect(fieldError({ expect: [] })).to.match(/field "expect"/);
    expect(fieldError({ expect: [detected(cond).within('1s'), { kind: 'maybe' }] })).to.match(/field "expect\[1\]"/);
    expect(fieldError({ hold: '10 parsecs' })).to.match(/field "hold".*10 parsecs/);
    expect(fieldError({ steady: [{}] })).to.match(/field "steady\[0\]"/);
    expect(fieldError({ expect: [recovers.within('1s'), recovers.within('2s')] })).to.match(/at most one recovers/);
  });
  it('a bad duration inside an expectation names the expectation', () => {
    expect(() => detected(cond).within('soon')).to.throw(/detected\(c\)\.within: cannot read "soon"/);
  });
});
