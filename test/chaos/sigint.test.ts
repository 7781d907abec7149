import { expect } from 'chai';
import { execa } from 'execa';
import { diff, kindState, createdClusterLeft } from './harness.js';
import { acquireCluster, lendCluster, releaseClusters } from '../../src/targets/kind-pool.js';
import { SINGLE_CONTROL_PLANE } from '../../src/targets/shapes.js';
import { clusterName, listKdrillClusters } from '../../src/cluster/kind.js';
import { stateDir } from '../../src/util/paths.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A first Ctrl-C (SIGINT) in each phase of a real `kdrill run` on kind, and
 * how long it takes to leave nothing behind: the run aborts what it is doing,
 * reverts, and exits (2). Provisioning: a run creating its own cluster deletes
 * it. (npm run test:chaos; the numbers go in the note.)
 */
const DRILL = 'control-plane-down-data-plane-up';

function phases(since: number): string[] {
  const dir = join(stateDir(), 'runs');
  const f = readdirSync(dir)
    .map((x) => join(dir, x))
    .filter((x) => x.endsWith('.jsonl') && statSync(x).mtimeMs >= since && readFileSync(x, 'utf8').includes(`"id":"${DRILL}"`))[0];
  if (!f) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"e":"phase"'))
    .map((l) => (JSON.parse(l) as { phase: string }).phase);
}

async function interruptIn(phase: string): Promise<{ ms: number; code: number | undefined }> {
  const since = Date.now();
  const p = execa('node', ['dist/src/cli.js', 'run', DRILL], { env: { CI: '1' }, reject: false, all: true });
  const after = phase === 'provision' ? 15_000 : 1500; // provisioning: well into kind create
  while (!phases(since).includes(phase)) {
    if (p.exitCode !== null && p.exitCode !== undefined) throw new Error(`the run ended before ${phase}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, after));
  const t0 = Date.now();
  p.kill('SIGINT');
  const r = await p;
  return { ms: Date.now() - t0, code: r.exitCode };
}

describe('Ctrl-C at every phase of a real kdrill run on kind', function () {
  const took: Record<string, number> = {};
  after(async () => {
    console.log(`      first Ctrl-C to nothing left: ${Object.entries(took).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`).join(', ')}`);
    expect((await releaseClusters()).map((e) => e.message)).to.deep.equal([]);
  });

  it('provisioning (kind create of its own cluster): the cluster it was creating is deleted', async () => {
    expect(await listKdrillClusters()).to.not.include(clusterName(SINGLE_CONTROL_PLANE.name));
    const r = await interruptIn('provision');
    took.provision = r.ms;
    expect(r.code).to.equal(2);
    expect(await createdClusterLeft(SINGLE_CONTROL_PLANE.name)).to.deep.equal({ cluster: 'absent', files: '' });
  });

  for (const phase of ['baseline', 'inject', 'observe', 'revert']) {
    it(`${phase}: everything it changed is reverted before it exits`, async () => {
      await acquireCluster(SINGLE_CONTROL_PLANE);
      const before = await kindState(SINGLE_CONTROL_PLANE.name);
      const r = await lendCluster(SINGLE_CONTROL_PLANE, () => interruptIn(phase));
      took[phase] = r.ms;
      expect(r.code).to.equal(2);
      expect(diff(before, await kindState(SINGLE_CONTROL_PLANE.name))).to.deep.equal([]);
    });
  }
});
