import { expect } from 'chai';
import { Journal } from '../../src/journal.js';
import { ObservationLog } from '../../src/signals/observation.js';
import { partitionMember } from '../../src/faults/partition-member.js';
import { killMember } from '../../src/faults/kill-member.js';
import { pauseMember } from '../../src/faults/pause-member.js';
import { etcdMetricsSource } from '../../src/signals/etcd-metrics.js';
import { dockerEventsSource } from '../../src/signals/docker-events.js';
import { writeIntegrity } from '../../src/probes/write-integrity.js';
import { inspectContainer } from '../../src/util/container.js';
import type { Fault } from '../../src/faults/fault.js';
import type { EtcdContainersTarget as EtcdTarget } from '../../src/targets/etcd-containers.js';
import type { Watcher } from '../../src/signals/signal.js';
import { sharedEtcd, untilHealthy } from './fixtures/shared-etcd.js';
import { record } from './fixtures/measure.js';

describe('partition, kill -9 + restart, pause on a real 3-member etcd', function () {
  let target: EtcdTarget;
  let journal: Journal;
  let observations: ObservationLog;
  let watchers: Watcher[];
  const abort = new AbortController();

  before(async () => {
    target = await sharedEtcd();
    await untilHealthy(target);
    journal = Journal.open(`it-faults-${process.pid}`, 'faults test');
  });
  beforeEach(async () => {
    observations = new ObservationLog();
    watchers = [
      await etcdMetricsSource().start({ target, log: observations, abort: abort.signal, journal, runId: journal.file.runId }),
      await dockerEventsSource((t) => t.etcd!.members.map((m) => m.container!.name)).start({ target, log: observations, abort: abort.signal, journal, runId: journal.file.runId }),
    ];
  });
  afterEach(async () => {
    for (const w of watchers) await w.stop();
    await untilHealthy(target);
  });
  after(async () => {
    expect(await journal.revertAll()).to.deep.equal({ errors: [], deferred: [] });
    expect(journal.close()).to.equal(true);
  });

  /** Injects, checks it is in effect, reverts, and waits until the member reports a leader again (an observation, with a deadline). */
  async function drill(fault: Fault, holdMs: number) {
    const probe = await writeIntegrity().start({ target, runId: `it-${fault.name}-${Date.now()}`, observations, abort: abort.signal, journal });
    const inj = await fault.inject({ target, journal, observations, log: () => undefined, abort: abort.signal, runId: journal.file.runId });
    expect(inj.inEffect, inj.evidence).to.equal(true);
    const member = target.etcd.members.find((m) => m.name === inj.subjects[0])!;
    await new Promise((r) => setTimeout(r, holdMs)); // the fault's duration: deliberate, not a wait for state
    await inj.revert();
    const revertedAt = Date.now();
    await inj.revert(); // idempotent
    const back = await observations.waitFor((o) => o.signal === 'etcd.has_leader' && o.subject === member.name && o.value === 1, { since: revertedAt, timeoutMs: 30_000 });
    expect(back, `${member.name} reports a leader again after the revert`).to.not.equal(undefined);
    await untilHealthy(target);
    const integrity = await probe.verify({ from: inj.injectedAt, to: revertedAt });
    expect(integrity.ok, integrity.detail).to.equal(true);
    return { inj, member, revertedAt, rejoinMs: back!.at - revertedAt, integrity };
  }

  it('partition: docker network disconnect, in effect when the peers see the member inactive; reconnect heals', async () => {
    const { inj, member, rejoinMs, integrity } = await drill(partitionMember({ member: 'follower' }), 5000);
    const state = await inspectContainer(member.container!.name);
    expect(state.networks).to.include(member.container!.peerNetwork.name);
    record('partition follower', `${inj.evidence}; verified ${inj.verifiedAt! - inj.injectedAt} ms after the disconnect; has_leader again ${rejoinMs} ms after reconnect; integrity ${integrity.counts.present}/${integrity.counts.acknowledged}`);
  });

  it('partition of the leader: a new leader is elected (leader changes observed)', async () => {
    const { inj, integrity } = await drill(partitionMember({ member: 'leader' }), 8000);
    const changes = observations.all().filter((o) => o.signal === 'etcd.leader_change' && o.at >= inj.injectedAt);
    expect(changes.length, 'leader change observations').to.be.greaterThan(0);
    record('partition leader', `${inj.evidence}; leader-change observations ${changes.length}; integrity ${integrity.counts.present}/${integrity.counts.acknowledged} (during fault ${integrity.counts.acknowledgedDuringFault})`);
  });

  it('kill -9 + restart: exit 137 seen as a docker event, counters reset on restart are handled', async () => {
    const { inj, member, rejoinMs, integrity } = await drill(killMember({ member: 'follower' }), 3000);
    expect(inj.measurements.exitCode).to.equal(137);
    const die = observations.all().find((o) => o.signal === 'docker.event' && o.subject === member.container!.name && o.text === 'die');
    expect(die?.value).to.equal(137);
    expect(observations.all().some((o) => o.signal === 'docker.event' && o.subject === member.container!.name && o.text === 'start')).to.equal(true);
    const reset = await observations.waitFor((o) => o.signal === 'etcd.counter_reset' && o.subject === member.name, { since: inj.injectedAt, timeoutMs: 10_000 });
    expect(reset, 'the restarted member\'s counters reset and were handled').to.not.equal(undefined);
    record('kill -9 follower', `${inj.evidence}; has_leader again ${rejoinMs} ms after restart; integrity ${integrity.counts.present}/${integrity.counts.acknowledged}`);
  });

  it('pause: the member is frozen (pause event, /metrics silent) and thaws on revert', async () => {
    const { inj, member, integrity } = await drill(pauseMember({ member: 'follower' }), 3000);
    const actions = observations.all().filter((o) => o.signal === 'docker.event' && o.subject === member.container!.name).map((o) => o.text);
    expect(actions).to.include.members(['pause', 'unpause']);
    expect((await inspectContainer(member.container!.name)).paused).to.equal(false);
    record('pause follower', `${inj.evidence}; integrity ${integrity.counts.present}/${integrity.counts.acknowledged}`);
  });
});
