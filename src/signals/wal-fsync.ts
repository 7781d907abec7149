import type { EtcdMember } from '../targets/etcd-target.js';
import { measureHistogram } from './histogram-poll.js';

export const WAL_FSYNC = 'etcd_disk_wal_fsync_duration_seconds';

/**
 * The member's WAL fsync over one verification window sized for the latency aimed at: at least 5 fsyncs (more
 * when they are fast), 4 × the target and 2 s, at most 12 × the target and 8 s. How slow-disk faults check themselves.
 */
export async function measureWalFsync(
  member: EtcdMember,
  targetMs: number,
  signal: AbortSignal,
): Promise<{ meanMs: number | undefined; p99Ms: number | undefined; samples: number }> {
  const w = await measureHistogram(() => member.metrics(), WAL_FSYNC, {
    minSamples: Math.max(5, Math.ceil(3000 / targetMs)),
    minMs: Math.max(2000, targetMs * 4),
    maxMs: Math.max(8000, targetMs * 12),
    signal,
  });
  return { meanMs: w && w.mean * 1000, p99Ms: w && w.quantile(0.99) * 1000, samples: w?.count ?? 0 };
}
