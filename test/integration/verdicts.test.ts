import { expect } from 'chai';
import { defineScenario, type ScenarioSpec } from '../../src/scenario.js';
import { runScenario } from '../../src/runner.js';
import { existing } from '../../src/targets/target.js';
import { throttleDisk } from '../../src/faults/throttle-disk.js';
import { detected } from '../../src/expect/detected.js';
import { holds } from '../../src/expect/holds.js';
import { recovers } from '../../src/expect/recovers.js';
import { logLine, memberUnhealthy, walFsyncP99 } from '../../src/signals/etcd-conditions.js';
import { writeIntegrity } from '../../src/probes/write-integrity.js';
import { readWriteIops } from '../../src/changes/write-iops.js';
import { Journal } from '../../src/journal.js';
import type { EtcdContainersTarget as EtcdTarget } from '../../src/targets/etcd-containers.js';
import type { RunRecord } from '../../src/record/run-record.js';
import slowFollower from '../../scenarios/etcd-slow-follower.js';
import slowLeader from '../../scenarios/etcd-slow-leader.js';
import leaderPartitioned from '../../scenarios/etcd-leader-partitioned.js';
import memberKilled from '../../scenarios/etcd-member-killed.js';
import { sharedEtcd, untilHealthy } from './fixtures/shared-etcd.js';
import { record } from './fixtures/measure.js';

/** No member of the shared cluster has any blkio write limit left. */
async function noThrottleLeft(target: EtcdTarget): Promise<void> {
  for (const m of target.etcd.members) {
    const file = await m.ioCgroup();
    expect(await readWriteIops(file, await m.dataDevice()), file.dir).to.equal(0);
    expect(await readWriteIops(file, '253:0'), file.dir).to.equal(0);
  }
}

function summary(r: RunRecord): string {
  return [
    `verdict ${r.verdict}`,
    `fault: ${r.fault.evidence}`,
    ...r.results.map((e) => `${e.name}: ${e.verdict}${e.latencyMs !== undefined ? ` latency ${e.latencyMs} ms` : ''}${e.recoveryMs !== undefined ? ` recovery ${e.recoveryMs} ms` : ''}`),
    ...Object.entries(r.probes).map(([k, p]) => `${k}: ${JSON.stringify(p.counts)}`),
    `leader changes ${r.observed['leader changes']}`,
  ].join(' | ');
}

describe('runner verdicts on a real 3-member etcd', function () {
  let target: EtcdTarget;
  before(async () => {
    target = await sharedEtcd();
  });
  beforeEach(async () => {
    await untilHealthy(target);
  });
  /** A test-only drill on the shared cluster, with the usual steady-state check. */
  const drill = (spec: Pick<ScenarioSpec, 'id' | 'title' | 'fault' | 'expect' | 'hold'>) =>
    defineScenario({ ...spec, incident: spec.title, target: existing(target), steady: [memberUnhealthy()] });
  afterEach(async () => {
    await noThrottleLeft(target);
    expect(Journal.list().journals.filter((j) => j.pending().length && !j.file.runId.startsWith('shared-')), 'journals left').to.have.length(0);
  });

  it('a fault that never takes effect (throttling a device etcd does not write to) is INVALID, not pass', async () => {
    const s = drill({
      id: 'it-throttle-wrong-device',
      title: 'throttle the wrong block device',
      // 253:0 is the zram device here: a real block device, but not the one under etcd's data dir
      fault: throttleDisk({ member: 'follower', fsync: '800ms', device: '253:0', calibrateFor: '30s' }),
      expect: [detected(walFsyncP99({ above: '100ms' })).within('10s'), holds(writeIntegrity()).throughout(), recovers.within('30s')],
    });
    const r = await runScenario(s);
    record('wrong-device drill', summary(r));
    expect(r.verdict).to.equal('invalid');
    expect(r.fault.inEffect).to.equal(false);
    expect(r.reasons.join('\n')).to.match(/fault not in effect/);
  });

  it('an expectation whose signal never comes FAILS (and the others are still judged)', async () => {
    const s = drill({
      id: 'it-signal-never-comes',
      title: 'a detector that never fires: an alert on a log line etcd never writes',
      fault: throttleDisk({ member: 'follower', fsync: '100ms' }),
      expect: [
        detected(walFsyncP99({ above: '50ms' })).within('30s'),
        detected(logLine('kdrill: this line is never logged by etcd')).within('5s'),
        holds(writeIntegrity()).throughout(), // also the write load without which no fsync happens
        recovers.within('60s'),
      ],
      hold: '5s',
    });
    const r = await runScenario(s);
    record('signal-never-comes drill', summary(r));
    expect(r.fault.inEffect, r.fault.evidence).to.equal(true);
    expect(r.verdict).to.equal('fail');
    expect(r.results[0]!.verdict).to.equal('pass');
    expect(r.results[1]!.verdict).to.equal('fail');
    expect(r.results[1]!.detectedAt).to.equal(undefined);
    expect(r.reasons.join('\n')).to.match(/never logged/);
  });

  for (const scenario of [slowFollower, slowLeader, leaderPartitioned, memberKilled]) {
    it(`${scenario.id} passes, with detection latencies and integrity counts`, async () => {
      const r = await runScenario({ ...scenario, target: existing(target) });
      record(scenario.id, summary(r));
      expect(r.verdict, r.reasons.join('\n')).to.equal('pass');
      for (const e of r.results.filter((x) => x.name.startsWith('detected'))) {
        expect(e.latencyMs).to.equal(new Date(e.detectedAt!).getTime() - new Date(e.injectedAt!).getTime());
      }
      const integrity = r.probes.writeIntegrity!;
      expect(integrity.counts.present).to.equal(integrity.counts.acknowledged);
      expect(integrity.counts.acknowledgedDuringFault).to.be.greaterThan(0);
    });
  }
});
