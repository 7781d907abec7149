import { expect } from 'chai';
import { dmesgTime, oomKillParser } from '../../src/signals/kernel-oom.js';

const NODE = '6c9f9bdd9b21edf20e2eb885f59e9d487cccc8de6b533efa2ec23d0edc1efa8f';
const POD = `kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-podea3f0c7c_cd4a_4a2e_87f1_7d79a9d6a48f.slice/cri-containerd-e187ae0a0d2c.scope`;

// what this host's kernel logged when a kind worker capped at 1536 MiB ran out (2026-12-01, `dmesg --time-format iso`)
const NODE_CAP = [
  '2026-12-01T00:03:17,800711+00:00 containerd invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
  `2026-12-01T00:03:17,863361+00:00 oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=${NODE},mems_allowed=0,oom_memcg=/docker/${NODE},task_memcg=/docker/${NODE}/${POD},task=kdrill-agent,pid=1175,uid=0`,
  '2026-12-01T00:03:17,863441+00:00 Memory cgroup out of memory: Killed process 1175 (kdrill-agent) total-vm:2708884kB, anon-rss:1474176kB, file-rss:8kB, shmem-rss:0kB, UID:0 pgtables:2984kB oom_score_adj:1000',
];

describe('OOM kills from the kernel log', () => {
  it('reads dmesg iso times to the millisecond', () => {
    expect(dmesgTime(NODE_CAP[0]!)).to.equal(Date.parse('2026-12-01T00:03:17.800Z'));
    expect(dmesgTime('[ 8039.800711] no iso time')).to.equal(undefined);
  });

  it("names the killed process, the cgroup whose limit was hit, its oom_score_adj and anon memory", () => {
    const parse = oomKillParser();
    const out = NODE_CAP.map(parse);
    expect(out.slice(0, 2)).to.deep.equal([undefined, undefined]);
    expect(out[2]).to.deep.equal({
      at: Date.parse('2026-12-01T00:03:17.863Z'),
      task: 'kdrill-agent',
      pid: 1175,
      oomMemcg: `/docker/${NODE}`,
      taskMemcg: `/docker/${NODE}/${POD}`,
      anonRssKiB: 1474176,
      oomScoreAdj: 1000,
    });
  });

  it('a kill whose header line was missed still names the process', () => {
    const k = oomKillParser()(NODE_CAP[2]!);
    expect(k).to.deep.include({ task: 'kdrill-agent', pid: 1175, oomMemcg: '', oomScoreAdj: 1000 });
  });
});
