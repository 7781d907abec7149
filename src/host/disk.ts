import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { formatDuration } from '../util/duration.js';

/** Dirty and Writeback from /proc/meminfo, in MiB: what the host still has to write to disk. */
export function unwrittenMiB(meminfo = readFileSync('/proc/meminfo', 'utf8')): number {
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB$`, 'm').exec(meminfo)?.[1] ?? 0);
  return (kb('Dirty') + kb('Writeback')) / 1024;
}

/**
 * Writes the host's dirty pages back now (sync), so that a drill's baseline
 * does not measure the host's writeback: right after the node image build
 * the host holds hundreds of MiB of dirty pages, and while they go out every
 * fsync on the same disk (etcd's WAL among them) is slow.
 */
export async function flushHostDisk(abort: AbortSignal): Promise<string> {
  const before = unwrittenMiB();
  const t0 = Date.now();
  await execa('sync', [], { cancelSignal: abort, timeout: 10 * 60_000, reject: false });
  return `host disk flushed: ${before.toFixed(0)} MiB dirty or in writeback before, ${unwrittenMiB().toFixed(0)} MiB after, in ${formatDuration(Date.now() - t0)}`;
}
