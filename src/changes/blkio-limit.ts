import { readFile, writeFile } from 'node:fs/promises';
import type { Journal, JournalEntry } from '../journal.js';
import { absPath, clusterOf, int, str, RecordInvalid, type ChangeKind, type ChangeRecord } from './change.js';

/** A cgroup v1 blkio throttle on one device (etcd's own cgroup: fdatasync I/O is charged to the caller). */
export interface BlkioLimitRecord extends ChangeRecord {
  type: 'blkio-limit';
  cgroupFile: string;
  /** "major:minor" */
  device: string;
  /** the limit before the change; 0 = none */
  previous: number;
}

const CGROUP_FILE = /^\/sys\/fs\/cgroup\/blkio\/.+\/blkio\.throttle\.(read|write)_(iops|bps)_device$/;

/** Reads the current limit for `device` from a blkio.throttle.* file; 0 = no limit, undefined = no such cgroup. */
export async function readBlkioLimit(cgroupFile: string, device: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(cgroupFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  for (const line of text.split('\n')) {
    const [dev, v] = line.trim().split(/\s+/);
    if (dev === device) return Number(v);
  }
  return 0;
}

/** Writes a limit (0 removes the rule). A cgroup that no longer exists has no limit: success. */
export async function writeBlkioLimit(cgroupFile: string, device: string, value: number): Promise<void> {
  try {
    await writeFile(cgroupFile, `${device} ${value}\n`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENODEV') return;
    throw e;
  }
  const now = await readBlkioLimit(cgroupFile, device);
  if (now !== undefined && now !== value) throw new Error(`${cgroupFile}: wrote ${device} ${value} but it reads ${now}`);
}

export const blkioLimit: ChangeKind<BlkioLimitRecord> = {
  type: 'blkio-limit',
  summary: 'a cgroup v1 blkio throttle on a device, restored to its previous value',
  describe: (r) => `restore ${r.cgroupFile} ${r.device} to ${r.previous || 'unlimited'}`,
  validate(raw) {
    const cgroupFile = absPath(raw, 'cgroupFile', '/sys/fs/cgroup/blkio');
    if (!CGROUP_FILE.test(cgroupFile)) throw new RecordInvalid('cgroupFile', `not a blkio.throttle.*_device file: ${cgroupFile}`);
    return { type: 'blkio-limit', cgroupFile, device: str(raw, 'device', /^\d+:\d+$/), previous: int(raw, 'previous'), ...clusterOf(raw) };
  },
  undo: (r) => writeBlkioLimit(r.cgroupFile, r.device, r.previous),
};

/** Journals the previous limit, then sets `value`. */
export async function applyBlkioLimit(journal: Journal, o: { cgroupFile: string; device: string; value: number; cluster?: string }): Promise<{ entry: JournalEntry; appliedAt: number; previous: number }> {
  const previous = (await readBlkioLimit(o.cgroupFile, o.device)) ?? 0;
  const rec: BlkioLimitRecord = { type: 'blkio-limit', cgroupFile: o.cgroupFile, device: o.device, previous, ...(o.cluster ? { cluster: o.cluster } : {}) };
  const { entry, appliedAt } = await journal.change(rec, () => writeBlkioLimit(o.cgroupFile, o.device, o.value));
  return { entry, appliedAt, previous };
}

/** A new value under the same undo record (calibration steps). */
export function adjustBlkioLimit(journal: Journal, entry: JournalEntry, value: number): Promise<void> {
  const r = entry.record as BlkioLimitRecord;
  return journal.adjust(entry, () => writeBlkioLimit(r.cgroupFile, r.device, value));
}
