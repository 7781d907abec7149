import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defineScenario } from '../../src/scenario.js';
import { runScenario } from '../../src/runner.js';
import { existing } from '../../src/targets/target.js';
import { throttleDisk } from '../../src/faults/throttle-disk.js';
import { detected } from '../../src/expect/detected.js';
import { recovers } from '../../src/expect/recovers.js';
import { holds } from '../../src/expect/holds.js';
import { writeIntegrity } from '../../src/probes/write-integrity.js';
import { memberUnhealthy, walFsyncP99 } from '../../src/signals/etcd-conditions.js';
import type { EtcdContainersTarget } from '../../src/targets/etcd-containers.js';
import { sharedEtcd, untilHealthy } from './fixtures/shared-etcd.js';
import { record } from './fixtures/measure.js';

/**
 * The first run on a fresh machine: the node image build leaves hundreds of
 * MiB for the host to write back, and while it does every fsync on that disk
 * (etcd's WAL among them) is slow. Here the host's disk is made noisy on
 * purpose (buffered writes of 200 MiB, each flushed, in a loop) while a drill
 * starts on the shared etcd, whose data dirs live on that disk: the drill must
 * wait the noise out within its deadline and then pass, or past the deadline
 * be invalid with the value it measured and the threshold: never judged on a
 * noisy baseline.
 */
function noise(dir: string, seconds: number): ResultPromise {
  return execa('sh', ['-c', `end=$(( $(date +%s) + ${seconds} )); while [ $(date +%s) -lt $end ]; do dd if=/dev/zero of=${dir}/noise bs=1M count=200 status=none; sync; done; rm -f ${dir}/noise`], { reject: false });
}

describe('a noisy host disk at baseline (what a fresh image build leaves behind)', function () {
  let target: EtcdContainersTarget;
  let dir: string;
  before(async () => {
    target = await sharedEtcd();
    dir = mkdtempSync(join('/var/tmp', 'kdrill-noise-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => untilHealthy(target));

  const drill = (id: string, deadline: string) =>
    defineScenario({
      id,
      title: 'a slow follower, started on a noisy disk',
      incident: 'the first drill on a fresh machine, right after the node image build',
      target: existing(target),
      steady: [memberUnhealthy()],
      fault: throttleDisk({ member: 'follower', fsync: '400ms' }),
      // the write load: without it etcd fsyncs nothing, at baseline or under the fault
      expect: [detected(walFsyncP99({ above: '100ms', on: 'faulty' })).within('30s'), holds(writeIntegrity()).throughout(), recovers.within('60s')],
      baseline: '10s',
      baselineDeadline: deadline,
    });

  it('waits the noise out (25 s of it) within its 3 min deadline, then passes', async () => {
    const n = noise(dir, 25);
    const t0 = Date.now();
    const r = await runScenario(drill('it-noisy-then-quiet', '3m'));
    await n;
    const baseline = r.phases.find((p) => p.phase === 'baseline')!.at;
    const injected = r.phases.find((p) => p.phase === 'inject')?.at ?? Date.now();
    const breaks = r.notes.filter((x) => /baseline not calm/.test(x.text));
    record('noisy disk, waited out', `baseline ${((injected - baseline) / 1000).toFixed(1)} s before the fault (noise 25 s from ${((baseline - t0) / 1000).toFixed(1)} s before it); ${breaks.length} "not calm" note(s): ${breaks[0]?.text ?? 'none'}; ${r.notes.find((x) => /host disk flushed/.test(x.text))?.text}; verdict ${r.verdict}`);
    expect(r.verdict, r.reasons.join('\n')).to.equal('pass');
    expect(breaks.length, 'the noise broke the baseline at least once: the gate waited it out').to.be.greaterThan(0);
    expect(injected - baseline).to.be.below(180_000);
  });

  it('past its deadline (15 s, 60 s of noise) it is invalid, with the measured value and the threshold', async () => {
    const n = noise(dir, 60);
    const r = await runScenario(drill('it-noisy-past-deadline', '15s'));
    n.kill();
    await n;
    await execa('rm', ['-f', join(dir, 'noise')]);
    record('noisy disk, past the deadline', r.reasons.join(' | '));
    expect(r.verdict).to.equal('invalid');
    expect(r.reasons.join('\n')).to.match(/baseline: no calm 10\.0s within 15\.0s: the last break: WAL fsync p99 > 100ms on faulty \(m\d: measured \d+ ms, threshold 100 ms\)/);
    expect(r.fault.inEffect, 'no fault was injected on a noisy baseline').to.equal(undefined);
  });
});
