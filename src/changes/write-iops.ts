import type { Journal, JournalEntry } from '../journal.js';
import type { NodeCgroup } from '../targets/node.js';
import { adjustBlkioLimit, applyBlkioLimit, readBlkioLimit } from './blkio-limit.js';
import { adjustIoMax, applyIoMax, readIoMaxWiops } from './io-max.js';

/**
 * A write-iops limit on a device for a cgroup, whichever version serves the
 * host's io controller: cgroup v1 blkio.throttle.write_iops_device (these
 * VMs) or cgroup v2 io.max's wiops (most hosts today), each its own change kind.
 */
export function writeIopsFile(cg: NodeCgroup): string {
  return cg.version === 'v1' ? `${cg.dir}/blkio.throttle.write_iops_device` : `${cg.dir}/io.max`;
}

/** The limit in force on `device` (0 = none), undefined when the cgroup is gone. */
export async function readWriteIops(cg: NodeCgroup, device: string): Promise<number | undefined> {
  if (cg.version === 'v1') return readBlkioLimit(writeIopsFile(cg), device);
  const v = await readIoMaxWiops(writeIopsFile(cg), device);
  return v === undefined ? undefined : v === 'max' ? 0 : Number(v);
}

/** Journals the limit now, then sets `value`; `previous` 0 = none. */
export async function applyWriteIops(journal: Journal, o: { cgroup: NodeCgroup; device: string; value: number; cluster?: string }): Promise<{ entry: JournalEntry; appliedAt: number; previous: number }> {
  const file = writeIopsFile(o.cgroup);
  if (o.cgroup.version === 'v1') return applyBlkioLimit(journal, { cgroupFile: file, device: o.device, value: o.value, cluster: o.cluster });
  const r = await applyIoMax(journal, { file, device: o.device, value: o.value, cluster: o.cluster });
  return { ...r, previous: r.previous === 'max' ? 0 : Number(r.previous) };
}

/** A new value under the same record (calibration). */
export function adjustWriteIops(journal: Journal, entry: JournalEntry, value: number): Promise<void> {
  return entry.record.type === 'io-max' ? adjustIoMax(journal, entry, value) : adjustBlkioLimit(journal, entry, value);
}
