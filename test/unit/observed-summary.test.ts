import { expect } from 'chai';
import type { Observation } from '../../src/signals/observation.js';

describe('observed summary', () => {
  it('counts leader changes from who reports being leader, not from restarted members\' counters', async () => {
    const { observedSummary } = await import('../../src/report/observed-summary.js');
    const il = (at: number, subject: string, value: number): Observation => ({ signal: 'etcd.is_leader', subject, at, value });
    const obs = [
      il(1, 'm1', 1), il(1, 'm2', 0), il(1, 'm3', 0),
      { signal: 'etcd.leader_change', subject: 'm3', at: 12, value: 1 }, // m3 restarted and saw m1 again
      il(12, 'm2', 1), // m2 elected while m1 still claims (stale): not yet a change
      il(13, 'm1', 0), // now m2 alone: one change
      il(14, 'm1', 0), il(14, 'm2', 1),
    ];
    expect(observedSummary(obs, { baselineFrom: 0, injectedAt: 10, endAt: 20 })['leader changes']).to.equal(1);
  });
});
