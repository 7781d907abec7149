import { expect } from 'chai';
import { firstFiring, recoveryInstant } from '../../src/expect/condition-state.js';
import { anyOf, type Condition } from '../../src/signals/signal.js';
import type { Observation } from '../../src/signals/observation.js';

const unhealthy: Condition = {
  name: 'no leader',
  kind: 'level',
  sources: [],
  test: (o) => (o.signal === 'has_leader' ? o.value === 0 : undefined),
};
const leaderChange: Condition = { name: 'leader change', kind: 'event', sources: [], test: (o) => (o.signal === 'leader_change' ? true : undefined) };
const hl = (at: number, subject: string, value: number): Observation => ({ signal: 'has_leader', subject, at, value });
const scope = { faulty: new Set<string>() };

describe('recoveryInstant', () => {
  it('is the first instant after the revert where every subject that reported is clear', () => {
    const obs = [hl(1, 'm1', 0), hl(1, 'm2', 0), hl(10, 'm1', 1), hl(12, 'm2', 0), hl(14, 'm2', 1)];
    expect(recoveryInstant(obs, [unhealthy], scope, 5)).to.equal(14);
  });
  it('needs fresh evidence after the revert: silence is not recovery', () => {
    expect(recoveryInstant([hl(1, 'm1', 1)], [unhealthy], scope, 5)).to.equal(undefined);
  });
  it('an event condition that fired after the revert keeps it unrecovered', () => {
    const obs = [{ signal: 'leader_change', subject: 'm1', at: 5.5 }, hl(6, 'm1', 1), hl(8, 'm1', 1)];
    expect(recoveryInstant(obs, [unhealthy, leaderChange], scope, 5)).to.equal(undefined);
    expect(recoveryInstant(obs, [unhealthy, leaderChange], scope, 5.6)).to.equal(6);
  });
});

describe('etcd conditions over observations', () => {
  it('memberUnhealthy: a member that answers /metrics again with a leader is healthy again', async () => {
    const { memberUnhealthy } = await import('../../src/signals/etcd-conditions.js');
    const c = memberUnhealthy() as Condition;
    const obs: Observation[] = [
      { signal: 'etcd.scrape', subject: 'm2', at: 1, value: 1 },
      { signal: 'etcd.has_leader', subject: 'm2', at: 1, value: 1 },
      { signal: 'etcd.scrape', subject: 'm2', at: 2, value: 0 }, // killed
      { signal: 'etcd.scrape', subject: 'm2', at: 6, value: 0 },
      { signal: 'etcd.scrape', subject: 'm2', at: 8, value: 1 }, // restarted, no leader yet
      { signal: 'etcd.has_leader', subject: 'm2', at: 8, value: 0 },
      { signal: 'etcd.scrape', subject: 'm2', at: 9, value: 1 },
      { signal: 'etcd.has_leader', subject: 'm2', at: 9, value: 1 },
    ];
    expect(recoveryInstant(obs, [c], scope, 5)).to.equal(9);
  });
});

describe('kube conditions over observations', () => {
  // a line from a kind node's kubelet journal at verbosity 2, measured with etcd at 6 s per fsync
  const journal =
    'I1124 02:24:11.644282     665 kuberuntime_manager.go:1182] "Message for Container of pod" containerName="etcd" ' +
    'containerStatusID={"Type":"containerd","ID":"3588fa0de7b4"} pod="kube-system/etcd-kdrill-drill-1cp-slowfs-control-plane" ' +
    'containerMessage="Container etcd failed liveness probe, will be restarted"';
  it('killedByLivenessProbe: the kubelet journal line and the Event both name the kill; other containers and pods do not', async () => {
    const { killedByLivenessProbe } = await import('../../src/signals/kube-conditions.js');
    const c = killedByLivenessProbe('etcd') as Condition;
    const at = 1;
    expect(c.test({ signal: 'log.kubelet', subject: 'n1', at, text: journal }, scope)).to.equal(true);
    expect(c.test({ signal: 'log.kubelet', subject: 'n1', at, text: journal.replaceAll('etcd', 'kube-apiserver') }, scope)).to.equal(undefined);
    expect(c.test({ signal: 'log.kubelet', subject: 'n1', at, text: journal.replace('kube-system/etcd-', 'default/etcd-') }, scope)).to.equal(undefined);
    expect(c.test({ signal: 'log.kubelet', subject: 'n1', at, text: 'prober.go:107] "Probe failed" probeType="Liveness" pod="kube-system/etcd-x"' }, scope)).to.equal(undefined);
    const ev = { signal: 'kube.event', at, text: 'Killing: Container etcd failed liveness probe, will be restarted' };
    expect(c.test({ ...ev, subject: 'etcd-kdrill-drill-1cp-control-plane' }, scope)).to.equal(true);
    expect(c.test({ ...ev, subject: 'kube-apiserver-kdrill-drill-1cp-control-plane' }, scope)).to.equal(undefined);
  });
});

describe('anyOf', () => {
  const late: Condition = { name: 'late heartbeat', kind: 'event', sources: [], test: (o) => (o.signal === 'log' && o.text === 'late' ? true : undefined) };
  const either = anyOf('late heartbeat or election', late, leaderChange);
  const at = (t: number, signal: string, text?: string): Observation => ({ signal, subject: 'm1', at: t, ...(text ? { text } : {}) });

  it('fires on whichever of its conditions fires first', () => {
    expect(firstFiring([at(1, 'log', 'other'), at(2, 'leader_change'), at(3, 'log', 'late')], either, scope, 0, 10)?.at).to.equal(2);
    expect(firstFiring([at(1, 'log', 'late')], either, scope, 0, 10)?.at).to.equal(1);
    expect(firstFiring([at(1, 'log', 'other'), hl(2, 'm1', 0)], either, scope, 0, 10)).to.equal(undefined);
  });
  it('a level anyOf is firing while any part is, clear when every part is', () => {
    const fast: Condition = { name: 'fsync', kind: 'level', sources: [], test: (o) => (o.signal === 'fsync' ? (o.value ?? 0) > 100 : undefined) };
    const obs = [hl(6, 'm1', 0), { signal: 'fsync', subject: 'm1', at: 6, value: 5 }, { signal: 'fsync', subject: 'm1', at: 7, value: 500 }, hl(8, 'm1', 1), { signal: 'fsync', subject: 'm1', at: 11, value: 5 }];
    expect(recoveryInstant(obs, [anyOf('no leader or slow', unhealthy, fast)], scope, 5)).to.equal(11);
  });
  it('refuses to mix a level with an event, or to wrap one condition', () => {
    expect(() => anyOf('mixed', unhealthy, leaderChange)).to.throw(/one kind.*no leader \(level\), leader change \(event\)/);
    expect(() => anyOf('alone', late)).to.throw(/two or more/);
  });
});
