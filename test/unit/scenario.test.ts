import { expect } from 'chai';
import { defineScenario, type ScenarioSpec } from '../../src/scenario.js';
import { detected } from '../../src/expect/detected.js';
import { recovers } from '../../src/expect/recovers.js';
import { KdrillError } from '../../src/util/errors.js';
import type { Capability } from '../../src/targets/target.js';
import type { Condition, Source } from '../../src/signals/signal.js';

const source = (key: string, needs: Capability[]): Source => ({ key, needs, start: async () => ({ stop: async () => undefined }) });
const cond: Condition = { name: 'c', kind: 'level', sources: [source('s', ['etcd'])], test: () => undefined };
const provides = new Set<Capability>(['etcd', 'kube.api']);
const good = (): ScenarioSpec => ({
  id: 'etcd-test',
  title: 't',
  incident: 'i',
  target: { name: 'a test target', provides, provision: async () => ({ kind: 'x', provides, describe: () => 'x', teardown: async () => undefined }) },
  fault: { name: 'f', needs: ['etcd'], describe: () => 'f', inject: async () => { throw new Error('unused'); } },
  expect: [detected(cond).within('10s'), recovers.within('1m')],
});

function fieldError(patch: Record<string, unknown>): string {
  try {
    defineScenario({ ...good(), ...patch } as ScenarioSpec);
  } catch (e) {
    expect(e).to.be.instanceOf(KdrillError);
    return (e as Error).message;
  }
  throw new Error('expected defineScenario to refuse it');
}

describe('defineScenario', () => {
  it('fills defaults', () => {
    const s = defineScenario(good());
    expect(s).to.include({ id: 'etcd-test', baselineMs: 10_000, baselineDeadlineMs: 180_000, holdMs: 10_000 });
    expect(s.needs).to.have.members(['etcd']);
  });
  it('refuses, when it is defined, a scenario whose target cannot provide what its parts need, naming the part', () => {
    expect(fieldError({ fault: { ...good().fault, name: 'delayFsync', needs: ['etcd', 'etcd.slowfs'] } })).to.match(
      /field "fault": delayFsync needs etcd data dirs behind kdrill-slowfs \(etcd\.slowfs\), which a test target does not provide/,
    );
    const nodeCond: Condition = { ...cond, name: 'kubelet log', sources: [source('k', ['node.fs'])] };
    expect(fieldError({ expect: [detected(nodeCond).within('1s')] })).to.match(/field "expect\[0\]": kubelet log needs the nodes' file systems \(node\.fs\)/);
    expect(fieldError({ steady: [nodeCond] })).to.match(/field "steady\[0\]"/);
  });
  it('checks the citation', () => {
    expect(fieldError({ source: 'incidents/000.txt' })).to.match(/field "source"/);
    expect(fieldError({ source: { title: 't', url: 'not a url' } })).to.match(/field "source\.url"/);
    expect(() => defineScenario({ ...good(), source: { title: 'A postmortem', author: 'Someone', url: 'https://example.org/pm' } })).to.not.throw();
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
