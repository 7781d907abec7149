import { join } from 'node:path';
import type { Journal } from '../journal.js';
import { createLoopDisk, destroyLoopDisk, loopDiskPaths, type LoopDisk } from '../cluster/loop-disk.js';
import { stateDir } from '../util/paths.js';
import { KDRILL_NAME, RecordInvalid, UndoDeferred, absPath, str, type Applied, type ChangeKind, type ChangeRecord } from './change.js';

/** A disk of its own for a control plane's /var/lib/etcd (ext4 on a sparse file, loop-mounted): unmounted and deleted. */
export interface LoopDiskRecord extends ChangeRecord {
  type: 'loop-disk';
  cluster: string;
  file: string;
  mountpoint: string;
}

export const loopDisk: ChangeKind<LoopDiskRecord> = {
  type: 'loop-disk',
  summary: "a loop-mounted disk under a kind node's /var/lib/etcd, unmounted and deleted",
  describe: (r) => `unmount and delete loop disk ${r.file}`,
  validate(raw) {
    const disks = join(stateDir(), 'disks');
    const file = absPath(raw, 'file', disks);
    const mountpoint = absPath(raw, 'mountpoint', disks);
    if (!file.endsWith('.img') || mountpoint !== file.slice(0, -4)) throw new RecordInvalid('mountpoint', `expected ${file.slice(0, -4)} for ${file}`);
    return { type: 'loop-disk', cluster: str(raw, 'cluster', KDRILL_NAME), file, mountpoint };
  },
  async undo(r, ctx) {
    // a live run uses the cluster this disk is under: unmounting it would pull etcd's data dir from under it
    const holder = ctx.heldByOther(r.cluster);
    if (holder) throw new UndoDeferred(`${r.cluster} is in use by another kdrill run (${holder}): its disk ${r.file} is left until that run ends`);
    await destroyLoopDisk(r.file, r.mountpoint);
  },
};

export function createLoopDiskChange(journal: Journal, cluster: string, name: string): Promise<Applied<LoopDisk>> {
  return journal.change({ type: 'loop-disk', cluster, ...loopDiskPaths(name) } satisfies LoopDiskRecord, () => createLoopDisk(name));
}
