import { hostPlace, processCgroupDir } from '../host/cgroups.js';
import { applyWriteIops } from '../changes/write-iops.js';
import { etcdOf } from '../targets/target.js';
import type { Fault, Injection } from './fault.js';
import type { JournalEntry } from '../journal.js';

/**
 * Keeps a disk throttle on etcd when the kubelet restarts it. cgroup v1 blkio
 * limits are not hierarchical (measured here), so a limit lives on the etcd
 * container's own cgroup and dies with it: a liveness kill would silently
 * lift the fault. This wraps a throttleDisk fault: after it is calibrated,
 * every new etcd process on the faulted member's node gets the same limit
 * (journaled before it is written), until the revert.
 */
export function followingRestarts(base: Fault): Fault {
  return {
    name: `${base.name}+followRestarts`,
    // the restarted etcd is found in the node's /proc (a static pod's new process)
    needs: [...base.needs, 'etcd.static-pod', 'node.host'],
    describe: () => `${base.describe()}, re-applied to every restarted etcd`,
    async inject(ctx): Promise<Injection> {
      const inj = await base.inject(ctx);
      const member = inj.subjects[0];
      const node = etcdOf(ctx.target).members.find((m) => m.name === member)?.node;
      const device = String(inj.measurements.device ?? '');
      const iops = Number(inj.measurements.iops);
      if (!node || !device || !Number.isFinite(iops)) return inj;
      const entries: JournalEntry[] = [];
      let last = (await node.processes('etcd')).pop()?.startTicks ?? 0;
      let reapplied = 0;
      inj.measurements.reappliedAfterRestart = 0;
      let stopped = false;
      const loop = (async () => {
        while (!stopped && !ctx.abort.aborted) {
          await new Promise((r) => setTimeout(r, 250));
          const p = (await node.processes('etcd').catch(() => [])).pop();
          if (!p || p.startTicks === last || stopped) continue;
          last = p.startTicks;
          try {
            const place = await hostPlace('io');
            const cgroup = { dir: processCgroupDir(p.cgroups, place, 'io'), version: place.version };
            const { entry } = await applyWriteIops(ctx.journal, { cgroup, device, value: iops, cluster: node.ref.cluster });
            entries.push(entry);
            inj.measurements.reappliedAfterRestart = ++reapplied;
            ctx.log(`${member}: etcd restarted (pid ${p.pid}); ${iops} write iops on ${device} re-applied`);
          } catch (e) {
            ctx.log(`${member}: could not re-apply the throttle to the restarted etcd: ${(e as Error).message}`);
          }
        }
      })();
      return {
        ...inj,
        revert: async () => {
          stopped = true;
          await loop;
          await ctx.journal.revertEntries(entries);
          await inj.revert();
        },
      };
    },
  };
}
