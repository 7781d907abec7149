import { readFile, writeFile } from 'node:fs/promises';
import type { Journal } from '../journal.js';
import { isUnlimited } from '../host/cgroups.js';
import { absPath, clusterOf, optStr, str, RecordInvalid, type Applied, type ChangeKind, type ChangeRecord } from './change.js';

/**
 * A memory cap on a cgroup of this host (a kind node container's own cgroup:
 * everything the node runs is charged to it): cgroup v1
 * `memory.limit_in_bytes` or v2 `memory.max`, restored to its previous value
 * exactly. The host never feels the node's memory pressure.
 */
export interface MemoryLimitRecord extends ChangeRecord {
  type: 'memory-limit';
  /** .../memory.limit_in_bytes (v1) or .../memory.max (v2) */
  file: string;
  /** the file's content before the change ("max", or bytes; v1 writes "no limit" as a huge number) */
  previous: string;
  /** which node this caps (for reports) */
  node?: string;
}

const FILE = /^\/sys\/fs\/cgroup\/(.+\/)?(memory\.limit_in_bytes|memory\.max)$/;

async function read(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Writes a limit and reads it back. A cgroup that is gone (its container deleted) has no limit left: success. */
async function write(file: string, value: string): Promise<void> {
  const v1 = file.endsWith('memory.limit_in_bytes');
  // v1 takes -1 for "no limit"; the number it reads back for it is accepted too but is not the canonical spelling
  const out = isUnlimited(value) ? (v1 ? '-1' : 'max') : value;
  try {
    await writeFile(file, `${out}\n`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENODEV') return;
    // v1 refuses a limit below what it cannot reclaim
    if (code === 'EBUSY') throw new Error(`${file}: the kernel refused ${out} (EBUSY: more than that is in use and cannot be reclaimed)`);
    throw e;
  }
  const now = await read(file);
  if (now === undefined) return;
  const same = isUnlimited(out) ? isUnlimited(now) : Math.abs(Number(now) - Number(out)) < 4096 * 2; // v1 rounds to pages
  if (!same) throw new Error(`${file}: wrote ${out} but it reads ${now}`);
}

export const memoryLimit: ChangeKind<MemoryLimitRecord> = {
  type: 'memory-limit',
  summary: "a memory cap on a cgroup of this host (a kind node's container), restored to its previous value",
  describe: (r) => `restore ${r.file}${r.node ? ` (node ${r.node})` : ''} to ${isUnlimited(r.previous) ? 'no limit' : r.previous}`,
  validate(raw) {
    const file = absPath(raw, 'file', '/sys/fs/cgroup');
    if (!FILE.test(file)) throw new RecordInvalid('file', `not a memory.limit_in_bytes or memory.max file: ${file}`);
    const node = optStr(raw, 'node', /^[a-z0-9][a-z0-9.-]{0,252}$/);
    return { type: 'memory-limit', file, previous: str(raw, 'previous', /^(max|-1|\d{1,20})$/), ...(node ? { node } : {}), ...clusterOf(raw) };
  },
  undo: (r) => write(r.file, r.previous),
};

/** Journals the cgroup's current limit, then caps it at `bytes`. */
export async function applyMemoryLimit(journal: Journal, o: { file: string; bytes: number; node?: string; cluster?: string }): Promise<Applied<{ previous: string }>> {
  const previous = await read(o.file);
  if (previous === undefined) throw new Error(`${o.file} does not exist (is the container running?)`);
  const rec: MemoryLimitRecord = { type: 'memory-limit', file: o.file, previous, ...(o.node ? { node: o.node } : {}), ...(o.cluster ? { cluster: o.cluster } : {}) };
  const { entry, appliedAt } = await journal.change(rec, () => write(o.file, String(o.bytes)));
  return { entry, appliedAt, result: { previous } };
}

/** The cap in force now (bytes; undefined = none or gone). */
export async function readMemoryLimit(file: string): Promise<number | undefined> {
  const v = await read(file);
  return v === undefined || isUnlimited(v) ? undefined : Number(v);
}
