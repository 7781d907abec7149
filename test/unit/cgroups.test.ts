import { expect } from 'chai';
import { containerCgroupDir, isUnlimited, parseCgroupMounts, placeOf, processCgroupDir, statValue } from '../../src/host/cgroups.js';
import { ioMaxLine, parseIoMax } from '../../src/changes/io-max.js';
import { writeIopsFile } from '../../src/changes/write-iops.js';
import { parseRate, parseSize } from '../../src/util/bytes.js';
import { memoryQuantity, withMemoryEviction } from '../../src/faults/memory-leak.js';
import { changeKind } from '../../src/changes/registry.js';
import YAML from 'yaml';

// /proc/self/mountinfo of these VMs (cgroup v1 for every controller, an almost empty cgroup2 at /sys/fs/cgroup/unified)
const V1_HOST = [
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio',
  '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
// a pure cgroup v2 host (GitHub's ubuntu runners, current distributions)
const V2_HOST = '29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';

describe('cgroup layout: v1, v2 and the mixed hosts between', () => {
  it('on these VMs memory and io are v1 (blkio), whatever the almost empty cgroup2 mount offers', () => {
    const l = parseCgroupMounts(V1_HOST, 'hugetlb');
    expect(placeOf(l, 'memory')).to.deep.equal({ version: 'v1', mount: '/sys/fs/cgroup/memory' });
    expect(placeOf(l, 'io')).to.deep.equal({ version: 'v1', mount: '/sys/fs/cgroup/blkio' });
    expect(l.v2).to.deep.equal({ mount: '/sys/fs/cgroup/unified', controllers: new Set(['hugetlb']) });
  });

  it('on a pure v2 host memory and io are v2, at the root mount', () => {
    const l = parseCgroupMounts(V2_HOST, 'cpuset cpu io memory hugetlb pids rdma misc');
    expect(placeOf(l, 'memory')).to.deep.equal({ version: 'v2', mount: '/sys/fs/cgroup' });
    expect(placeOf(l, 'io')).to.deep.equal({ version: 'v2', mount: '/sys/fs/cgroup' });
  });

  it('a controller neither version offers is undefined, not guessed', () => {
    expect(placeOf(parseCgroupMounts(V2_HOST, 'cpu pids'), 'memory')).to.equal(undefined);
  });

  it("finds a container's own cgroup above systemd's init.scope (cgroupfs driver on v1, systemd driver on v2)", () => {
    const id = 'a'.repeat(64);
    const v1 = `4:memory:/docker/${id}/init.scope\n7:blkio:/docker/${id}/init.scope\n0::/docker/${id}/init.scope`;
    expect(containerCgroupDir(v1, id, { version: 'v1', mount: '/sys/fs/cgroup/memory' }, 'memory')).to.equal(`/sys/fs/cgroup/memory/docker/${id}`);
    expect(containerCgroupDir(v1, id, { version: 'v1', mount: '/sys/fs/cgroup/blkio' }, 'io')).to.equal(`/sys/fs/cgroup/blkio/docker/${id}`);
    const v2 = `0::/system.slice/docker-${id}.scope/init.scope`;
    expect(containerCgroupDir(v2, id, { version: 'v2', mount: '/sys/fs/cgroup' }, 'memory')).to.equal(`/sys/fs/cgroup/system.slice/docker-${id}.scope`);
    expect(() => containerCgroupDir('0::/user.slice', id, { version: 'v2', mount: '/sys/fs/cgroup' }, 'memory')).to.throw(/does not name container aaaaaaaaaaaa/);
  });

  it('reads "no limit" in both spellings, and key-value stat files', () => {
    expect(isUnlimited('9223372036854771712')).to.equal(true);
    expect(isUnlimited('max\n')).to.equal(true);
    expect(isUnlimited('1610612736')).to.equal(false);
    const v1stat = 'cache 1\nrss 2\npgmajfault 7\ntotal_cache 260456448\ntotal_rss 71634944\ntotal_pgmajfault 20\n';
    expect(statValue(v1stat, 'total_pgmajfault')).to.equal(20);
    expect(statValue(v1stat, 'pgmajfault')).to.equal(7);
    expect(statValue('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n', 'oom_kill')).to.equal(3);
  });
});

describe('a disk throttle on cgroup v2 (io.max), the same fault as v1 blkio', () => {
  it("reads io.max's limits per device and writes one key, leaving the others", () => {
    const text = '8:0 rbps=max wbps=max riops=max wiops=120\n253:0 rbps=1048576 wbps=max riops=max wiops=max\n';
    expect(parseIoMax(text, '8:0')).to.deep.equal({ rbps: 'max', wbps: 'max', riops: 'max', wiops: '120' });
    expect(parseIoMax(text, '253:0').rbps).to.equal('1048576');
    expect(parseIoMax(text, '7:1')).to.deep.equal({});
    expect(ioMaxLine('8:0', 'wiops', 6)).to.equal('8:0 wiops=6\n');
    expect(ioMaxLine('8:0', 'wiops', 'max')).to.equal('8:0 wiops=max\n');
    expect(() => ioMaxLine('sda', 'wiops', 6)).to.throw(/device: expected MAJ:MIN/);
    expect(() => ioMaxLine('8:0', 'wiops', 0)).to.throw(/wiops: expected a whole number/);
  });

  it('the limit goes to the file of the version that serves the host (blkio on v1, io.max on v2)', () => {
    expect(writeIopsFile({ dir: '/sys/fs/cgroup/blkio/docker/x', version: 'v1' })).to.equal('/sys/fs/cgroup/blkio/docker/x/blkio.throttle.write_iops_device');
    expect(writeIopsFile({ dir: '/sys/fs/cgroup/system.slice/docker-x.scope', version: 'v2' })).to.equal('/sys/fs/cgroup/system.slice/docker-x.scope/io.max');
    const cgroups = { blkio: '/docker/a/kubepods/pod1/c1', unified: '/system.slice/docker-a.scope/kubepods/pod1/c1' };
    expect(processCgroupDir(cgroups, { version: 'v1', mount: '/sys/fs/cgroup/blkio' }, 'io')).to.equal('/sys/fs/cgroup/blkio/docker/a/kubepods/pod1/c1');
    expect(processCgroupDir(cgroups, { version: 'v2', mount: '/sys/fs/cgroup' }, 'io')).to.equal('/sys/fs/cgroup/system.slice/docker-a.scope/kubepods/pod1/c1');
  });

  it('an io-max journal record names only io.max files and MAJ:MIN devices', () => {
    const k = changeKind('io-max')!;
    const ok = { type: 'io-max', file: '/sys/fs/cgroup/system.slice/docker-x.scope/io.max', device: '8:0', previous: 'max' };
    expect(k.validate(ok)).to.deep.include({ previous: 'max', device: '8:0' });
    expect(() => k.validate({ ...ok, file: '/sys/fs/cgroup/x/memory.max' })).to.throw(/field "file": not an io.max file/);
    expect(() => k.validate({ ...ok, device: 'sda' })).to.throw(/field "device"/);
    expect(() => k.validate({ ...ok, previous: '-1' })).to.throw(/field "previous"/);
  });
});

describe('memory leak parameters', () => {
  it('sizes and rates as Kubernetes writes them; a bad one names its field', () => {
    expect(parseSize('1536Mi')).to.equal(1536 * 2 ** 20);
    expect(parseSize('2Gi')).to.equal(2 * 2 ** 30);
    expect(parseRate('20Mi/s')).to.equal(20 * 2 ** 20);
    expect(() => parseSize('lots', 'cap')).to.throw(/^cap: cannot read "lots"/);
    expect(() => parseRate('20Mi', 'rate')).to.throw(/^rate: cannot read "20Mi" as a rate/);
    expect(memoryQuantity('24563704Ki')).to.equal(24563704 * 1024);
  });

  it("adds a memory.available threshold to the kubelet's evictionHard and keeps kind's disk ones", () => {
    const kind = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nevictionHard:\n  imagefs.available: 0%\n  nodefs.available: 0%\n  nodefs.inodesFree: 0%\ncgroupDriver: cgroupfs\n';
    const out = YAML.parse(withMemoryEviction(kind, 23000)) as { evictionHard: Record<string, string>; cgroupDriver: string };
    expect(out.evictionHard).to.deep.equal({ 'imagefs.available': '0%', 'nodefs.available': '0%', 'nodefs.inodesFree': '0%', 'memory.available': '23000Mi' });
    expect(out.cgroupDriver).to.equal('cgroupfs');
  });

  it('a memory-limit journal record names only memory limit files under /sys/fs/cgroup', () => {
    const k = changeKind('memory-limit')!;
    const ok = { type: 'memory-limit', file: `/sys/fs/cgroup/memory/docker/${'b'.repeat(64)}/memory.limit_in_bytes`, previous: '9223372036854771712', node: 'kdrill-x-worker' };
    expect(k.validate(ok)).to.deep.include({ previous: '9223372036854771712' });
    expect(() => k.validate({ ...ok, file: '/sys/fs/cgroup/memory/docker/x/memory.oom_control' })).to.throw(/field "file": not a memory.limit_in_bytes or memory.max file/);
    expect(() => k.validate({ ...ok, file: '/etc/passwd' })).to.throw(/field "file": \/etc\/passwd is outside \/sys\/fs\/cgroup/);
    expect(() => k.validate({ ...ok, previous: '1; rm -rf /' })).to.throw(/field "previous"/);
  });
});
