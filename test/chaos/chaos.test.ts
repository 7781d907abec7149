import { expect } from 'chai';
import { CHAOS_CASES, type KillPhase } from './cases.js';
import { chaosSeed, killContainersCase, killKindCase, summarize } from './runs.js';
import type { KillResult } from './harness.js';
import { kindState } from './harness.js';
import { sharedEtcd, untilHealthy } from '../integration/fixtures/shared-etcd.js';
import { acquireCluster, lendCluster, releaseClusters } from '../../src/targets/kind-pool.js';
import { SINGLE_CONTROL_PLANE, ONE_CONTROL_PLANE_TWO_WORKERS } from '../../src/targets/shapes.js';
import { clusterName, listKdrillClusters } from '../../src/cluster/kind.js';

/**
 * The full SIGKILL harness (npm run test:chaos, on demand): every change kind
 * killed at seeded instants of every phase — at least 20 kills per kind on the
 * containers target, one per phase per kind-only case on kind — each followed
 * by `kdrill clean` and a comparison of the real state with what it was.
 * CI runs a seeded sample of it (test/integration/chaos-sample.test.ts and
 * the e2e tier).
 */
const results: KillResult[] = [];

describe('SIGKILL harness (full)', function () {
  const { rand } = chaosSeed();

  after(() => {
    console.log(`\n      kills per change kind:\n${summarize(results)}`);
  });

  describe('containers target: the shared 3-member etcd', function () {
    for (const c of CHAOS_CASES.filter((x) => x.tier === 'containers')) {
      it(`${c.name}: ${c.kinds.join(', ')} — 20 kills over ${c.phases.join(', ')}, each restored`, async () => {
        const target = await sharedEtcd();
        const mine: KillResult[] = [];
        for (let i = 0; mine.filter((r) => r.killedIn !== 'missed').length < 20 && i < 40; i++) {
          await untilHealthy(target, 90_000);
          const phase = c.phases[i % c.phases.length]!;
          const r = await killContainersCase(c, target, phase, rand);
          console.log(`        ${phase.padEnd(9)} → killed in ${r.killedIn.padEnd(17)} after ${String(r.delayMs).padStart(5)} ms: ${r.restored ? 'restored' : `LEFT ${r.diffs.join('; ')}`}`);
          mine.push(r);
          results.push(r);
        }
        expect(mine.filter((r) => !r.restored).flatMap((r) => r.diffs)).to.deep.equal([]);
        expect(mine.filter((r) => r.killedIn !== 'missed').length).to.be.at.least(20);
      });
    }
  });

  describe('kind: real `kdrill run` processes, killed', function () {
    after(async () => {
      expect((await releaseClusters()).map((e) => e.message)).to.deep.equal([]);
    });

    it('a drill cluster being created (kind-cluster, loop-disk): killed during provisioning, `kdrill clean` leaves no cluster, disk or file', async () => {
      const c = CHAOS_CASES.find((x) => x.kinds.includes('kind-cluster'))!;
      expect(await listKdrillClusters(), 'no drill-1cp cluster before this case').to.not.include(clusterName(c.shape!));
      for (let i = 0; i < 2; i++) {
        const r = await killKindCase(c, 'provision', rand, {});
        console.log(`        provision → killed in ${r.killedIn} after ${r.delayMs} ms: ${r.restored ? 'nothing left' : `LEFT ${r.diffs.join('; ')}`} (${Math.round(r.ms / 1000)} s)`);
        results.push(r);
        expect(r.diffs).to.deep.equal([]);
      }
    });

    for (const shape of [ONE_CONTROL_PLANE_TWO_WORKERS, SINGLE_CONTROL_PLANE]) {
      for (const c of CHAOS_CASES.filter((x) => x.tier === 'kind' && x.shape === shape.name && !x.kinds.includes('kind-cluster'))) {
        it(`${c.name}: ${c.kinds.join(', ')} — one kill per phase (${c.phases.join(', ')}), each restored`, async () => {
          await acquireCluster(shape);
          const before = await kindState(shape.name);
          await lendCluster(shape, async () => {
            for (const phase of c.phases as KillPhase[]) {
              const r = await killKindCase(c, phase, rand, before);
              console.log(`        ${phase.padEnd(9)} → killed in ${r.killedIn.padEnd(17)} after ${String(r.delayMs).padStart(5)} ms: ${r.restored ? 'restored' : `LEFT ${r.diffs.join('; ')}`} (${Math.round(r.ms / 1000)} s)`);
              results.push(r);
              expect(r.diffs, `${c.name} killed in ${r.killedIn}`).to.deep.equal([]);
            }
          });
        });
      }
    }
  });
});
