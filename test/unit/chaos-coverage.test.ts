import { expect } from 'chai';
import { changeKinds } from '../../src/changes/registry.js';
import { CHAOS_CASES } from '../chaos/cases.js';

describe('the SIGKILL harness covers every change kind', () => {
  it('each registered change kind has a harness case (a kind added later must bring one)', () => {
    const covered = new Set(CHAOS_CASES.flatMap((c) => c.kinds));
    const missing = changeKinds().map((k) => k.type).filter((t) => !covered.has(t));
    expect(missing, 'change kinds without a case in test/chaos/cases.ts').to.deep.equal([]);
  });
  it('and no case names a kind that does not exist', () => {
    const known = new Set(changeKinds().map((k) => k.type));
    expect(CHAOS_CASES.flatMap((c) => c.kinds).filter((k) => !known.has(k))).to.deep.equal([]);
  });
});
