import { expect } from 'chai';
import { CHAOS_CASES } from '../chaos/cases.js';
import { chaosSeed, killContainersCase, summarize } from '../chaos/runs.js';
import { sharedEtcd, untilHealthy } from './fixtures/shared-etcd.js';
import { record } from './fixtures/measure.js';

/**
 * CI's seeded sample of the SIGKILL harness (the full one: npm run test:chaos):
 * one kill of every containers-tier case, in a phase the seed picks. The seed
 * is printed; KDRILL_CHAOS_SEED=<seed> replays the same instants.
 */
describe('SIGKILL harness, seeded sample: containers target', function () {
  it('one kill per change kind on the shared etcd, each followed by `kdrill clean`: everything as it was', async () => {
    const { seed, rand } = chaosSeed();
    const target = await sharedEtcd();
    const results = [];
    for (const c of CHAOS_CASES.filter((x) => x.tier === 'containers')) {
      await untilHealthy(target, 90_000);
      const phase = c.phases[Math.floor(rand() * c.phases.length)]!;
      const r = await killContainersCase(c, target, phase, rand);
      console.log(`        ${c.name}: ${phase} → killed in ${r.killedIn} after ${r.delayMs} ms: ${r.restored ? 'restored' : `LEFT ${r.diffs.join('; ')}`}`);
      results.push(r);
    }
    record(`chaos sample (seed ${seed})`, `\n${summarize(results)}`);
    expect(results.filter((r) => !r.restored).map((r) => `${r.case} (${r.killedIn}): ${r.diffs.join('; ')}`)).to.deep.equal([]);
    await untilHealthy(target, 90_000);
  });
});
