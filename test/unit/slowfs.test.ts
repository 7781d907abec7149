import { expect } from 'chai';
import { delayFsync } from '../../src/faults/delay-fsync.js';
import { SLOWFS_DISK, slowFsMounts } from '../../src/cluster/slowfs.js';

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
