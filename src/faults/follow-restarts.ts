import type { KindTarget } from '../targets/kind-etcd.js';
import { processesInContainer, blkioDir } from '../cluster/host-procs.js';
import { writeBlkioLimit } from '../undo.js';
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
export function followingRestarts(base: Fault<KindTarget>): Fault<KindTarget> {
  return {
    name: `${base.name}+followRestarts`,
    describe: () => `${base.describe()}, re-applied to every restarted etcd`,
    async inject(ctx): Promise<Injection> {
      const inj = await base.inject(ctx);
      const member = inj.subjects[0];
      const node = member ? ctx.target.nodes.get(member) : undefined;
      const device = String(inj.measurements.device ?? '');
      const iops = Number(inj.measurements.iops);
      if (!node || !device || !Number.isFinite(iops)) return inj;
      const entries: JournalEntry[] = [];
      let last = (await processesInContainer(node.id, 'etcd')).pop()?.startTicks ?? 0;
      let reapplied = 0;
      inj.measurements.reappliedAfterRestart = 0;
      let stopped = false;
      const loop = (async () => {
        while (!stopped && !ctx.abort.aborted) {
          await new Promise((r) => setTimeout(r, 250));
          const p = (await processesInContainer(node.id, 'etcd').catch(() => [])).pop();
          if (!p || p.startTicks === last || stopped) continue;
          last = p.startTicks;
          const cgroupFile = `${blkioDir(p)}/blkio.throttle.write_iops_device`;
          try {
            const { entry } = await ctx.journal.change({ type: 'blkio-throttle', cgroupFile, device, previous: 0 }, () => writeBlkioLimit(cgroupFile, device, iops));
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
          for (const e of entries) await ctx.journal.revert(e);
          await inj.revert();
        },
      };
    },
  };
}
