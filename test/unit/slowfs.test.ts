import { expect } from 'chai';
import { delayFsync } from '../../src/faults/delay-fsync.js';
import { SLOWFS_DISK, slowFsMounts } from '../../src/cluster/slowfs.js';
import { livenessArithmetic, livenessRestartPeriodMs } from '../../src/targets/etcd-probes.js';
import { slowApply } from '../../src/signals/etcd-conditions.js';
import { etcdLogSource } from '../../src/signals/etcd-logs.js';
import { ObservationLog } from '../../src/signals/observation.js';
import { parseDuration } from '../../src/util/duration.js';

describe('unit: kdrill-slowfs', () => {
  it('mounts the disk beside /var/lib/etcd and the unit, binary and kubelet drop-in from one versioned directory', () => {
    const m = slowFsMounts('/c/slowfs/abc', '/d/etcd');
    expect(m.find((x) => x.containerPath === SLOWFS_DISK)?.hostPath).to.equal('/d/etcd');
    // etcd's data dir itself is the FUSE mount, made in the node: never a bind mount
    expect(m.map((x) => x.containerPath)).to.not.include('/var/lib/etcd');
    expect(m.filter((x) => x.hostPath.startsWith('/c/slowfs/abc')).every((x) => x.readOnly)).to.equal(true);
    expect(m.map((x) => x.containerPath)).to.include('/etc/systemd/system/kubelet.service.d/05-kdrill-slowfs.conf');
  });

  it('delayFsync names the field it cannot take', () => {
    expect(() => delayFsync({ member: 'leader', fsync: '0ms' })).to.throw(/delayFsync.fsync/);
    expect(() => delayFsync({ member: 'leader', fsync: 'soon' })).to.throw(/delayFsync.fsync/);
    expect(() => delayFsync({ member: 'leader', fsync: '800ms', tolerance: 2 })).to.throw(/delayFsync.tolerance/);
    expect(delayFsync({ member: 'leader', fsync: '800ms' }).describe()).to.match(/800ms.*±15%/);
  });
});

describe('unit: slow applies by how long they took', () => {
  it('reads Go durations', () => {
    expect(parseDuration('1.253972661s')).to.be.closeTo(1254, 1);
    expect(parseDuration('179.549725ms')).to.be.closeTo(179.5, 0.1);
    expect(parseDuration('1m2.5s')).to.equal(62_500);
    expect(parseDuration('850µs')).to.be.closeTo(0.85, 1e-6);
    expect(() => parseDuration('soon')).to.throw(/cannot read/);
  });

  it("the log source carries a line's took as the observation's value", async () => {
    const lines = [
      '{"level":"warn","ts":"2026-11-22T03:10:00Z","msg":"apply request took too long","took":"1.253972661s","expected-duration":"100ms"}',
      '{"level":"warn","ts":"2026-11-22T03:10:01Z","msg":"leader failed to send out heartbeat on time"}',
    ];
    const member = { name: 'm1', followLogs: (_: number, onLine: (l: string) => void) => (lines.forEach(onLine), () => undefined) };
    const log = new ObservationLog();
    await etcdLogSource().start({ target: { etcd: { members: [member] } } as never, log } as never);
    const [apply, heartbeat] = log.all();
    expect(apply).to.include({ text: 'apply request took too long (took 1.253972661s)' });
    expect(apply!.value).to.be.closeTo(1.254, 1e-3);
    expect(heartbeat!.value).to.equal(undefined);
  });

  it('counts only applies over the threshold', () => {
    const c = slowApply({ on: 'any', above: '500ms' });
    const scope = { faulty: new Set<string>() };
    const obs = (text: string, value?: number) => ({ signal: 'etcd.log', subject: 'm1', at: 0, text, value });
    expect(c.test(obs('apply request took too long (took 179.549725ms)', 0.1795), scope)).to.equal(undefined);
    expect(c.test(obs('apply request took too long (took 1.253972661s)', 1.254), scope)).to.equal(true);
    expect(c.test(obs('apply request took too long (took 712.3ms)', 0.7123), scope)).to.equal(true);
    expect(c.test(obs('apply request took too long'), scope)).to.equal(undefined);
    expect(c.test(obs('slow fdatasync (took 2s)', 2), scope)).to.equal(undefined);
    expect(slowApply({ on: 'any' }).test(obs('apply request took too long (took 179.5ms)', 0.1795), scope)).to.equal(true);
  });
});

describe('unit: the liveness restart loop arithmetic', () => {
  const probe2018 = { initialDelaySeconds: 15, periodSeconds: 10, timeoutSeconds: 15, failureThreshold: 8 };
  it('start to kill: 15 s + 7 × 10 s + the 5 s etcdctl gives itself (90 s), not the postmortem 8 × 15 s', () => {
    const a = livenessArithmetic(probe2018, 5000);
    expect(a.startToKillMs).to.equal(90_000);
    expect(a.naiveMs).to.equal(120_000);
    expect(livenessArithmetic(probe2018, 15_000).startToKillMs).to.equal(15_000 + 7 * 15_000 + 15_000);
  });
  it('back-off (from the previous exit) only lengthens a period once it outgrows the time the container ran', () => {
    // 10, 20, 40, 80 s back-offs hide under a 90 s run; 160 s and the 300 s cap do not
    expect([2, 3, 4, 5, 6, 7, 8].map((n) => livenessRestartPeriodMs(90_000, n) / 1000)).to.deep.equal([90, 90, 90, 90, 160, 300, 300]);
  });
});
