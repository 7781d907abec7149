import { readFile, writeFile } from 'node:fs/promises';
import type { Journal, JournalEntry } from '../journal.js';
import { absPath, clusterOf, str, RecordInvalid, type ChangeKind, type ChangeRecord } from './change.js';

/**
 * A cgroup v2 write-iops limit on one device (`io.max`: "MAJ:MIN rbps=max
 * wbps=max riops=max wiops=N"), the v2 counterpart of blkio-limit, restored to
 * its previous wiops. Written as the one key it changes, so the other limits
 * on the device are left as they are.
 */
export interface IoMaxRecord extends ChangeRecord {
  type: 'io-max';
  /** .../io.max */
  file: string;
  /** "major:minor" */
  device: string;
  /** wiops before the change: a number, or "max" (none) */
  previous: string;
}

const FILE = /^\/sys\/fs\/cgroup\/(.+\/)?io\.max$/;

/** The limits io.max holds for `device` (pure): key → value ("max" or a number); {} when none. */
export function parseIoMax(text: string, device: string): Record<string, string> {
  for (const line of text.split('\n')) {
    const [dev, ...kvs] = line.trim().split(/\s+/);
    if (dev !== device) continue;
    return Object.fromEntries(kvs.map((kv) => kv.split('=') as [string, string]));
  }
  return {};
}

/** The line that sets one key for a device, e.g. "8:16 wiops=120" (pure). */
export function ioMaxLine(device: string, key: 'wiops' | 'wbps' | 'riops' | 'rbps', value: number | 'max'): string {
  if (!/^\d+:\d+$/.test(device)) throw new TypeError(`device: expected MAJ:MIN, got ${device}`);
  if (value !== 'max' && (!Number.isInteger(value) || value < 1)) throw new TypeError(`${key}: expected a whole number ≥ 1 or "max", got ${value}`);
  return `${device} ${key}=${value}\n`;
}

/** The write-iops limit in force for `device` ("max" = none); undefined when the cgroup is gone. */
export async function readIoMaxWiops(file: string, device: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return parseIoMax(text, device).wiops ?? 'max';
}

async function writeWiops(file: string, device: string, value: number | 'max'): Promise<void> {
  try {
    await writeFile(file, ioMaxLine(device, 'wiops', value));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENODEV') return; // the cgroup is gone, and its limit with it
    throw e;
  }
  const now = await readIoMaxWiops(file, device);
  if (now !== undefined && now !== String(value)) throw new Error(`${file}: wrote ${device} wiops=${value} but it reads ${now}`);
}

export const ioMax: ChangeKind<IoMaxRecord> = {
  type: 'io-max',
  summary: 'a cgroup v2 io.max write-iops limit on a device, restored to its previous value',
  describe: (r) => `restore ${r.file} ${r.device} wiops=${r.previous}`,
  validate(raw) {
    const file = absPath(raw, 'file', '/sys/fs/cgroup');
    if (!FILE.test(file)) throw new RecordInvalid('file', `not an io.max file: ${file}`);
    return { type: 'io-max', file, device: str(raw, 'device', /^\d+:\d+$/), previous: str(raw, 'previous', /^(max|\d{1,12})$/), ...clusterOf(raw) };
  },
  undo: (r) => writeWiops(r.file, r.device, r.previous === 'max' ? 'max' : Number(r.previous)),
};

/** Journals the device's wiops now, then sets `value`. */
export async function applyIoMax(journal: Journal, o: { file: string; device: string; value: number; cluster?: string }): Promise<{ entry: JournalEntry; appliedAt: number; previous: string }> {
  const previous = (await readIoMaxWiops(o.file, o.device)) ?? 'max';
  const rec: IoMaxRecord = { type: 'io-max', file: o.file, device: o.device, previous, ...(o.cluster ? { cluster: o.cluster } : {}) };
  const { entry, appliedAt } = await journal.change(rec, () => writeWiops(o.file, o.device, o.value));
  return { entry, appliedAt, previous };
}

/** A new value under the same undo record (calibration steps). */
export function adjustIoMax(journal: Journal, entry: JournalEntry, value: number): Promise<void> {
  const r = entry.record as IoMaxRecord;
  return journal.adjust(entry, () => writeWiops(r.file, r.device, value));
}
