import type { MemberSelector } from '../targets/etcd-target.js';
import { selectMember } from '../targets/etcd-target.js';
import { etcdOf } from '../targets/target.js';
import { adjustWriteIops, applyWriteIops, writeIopsFile } from '../changes/write-iops.js';
import { measureWalFsync } from '../signals/wal-fsync.js';
import { nextIops, relativeError, type CalibrationStep } from './calibration.js';
import type { Fault, Injection } from './fault.js';
import { parseDuration, formatDuration, type Duration } from '../util/duration.js';

export interface ThrottleDiskOptions {
  /** Which member's disk: "leader", "follower", or a member name (resolved at injection). */
  member: MemberSelector;
  /** WAL fsync latency to reach, measured from etcd_disk_wal_fsync_duration_seconds. */
  fsync: Duration;
  /** Accepted relative error of the measured mean (default 0.25). */
  tolerance?: number;
  /** Block device to throttle ("major:minor"); default: the one under the member's data dir. */
  device?: string;
  /** Give up calibrating after this long (default 90s). */
  calibrateFor?: Duration;
}

/**
 * Slow etcd disk: a write-iops limit on the member's cgroup (cgroup v1 blkio,
 * or v2 io.max's wiops, whichever the host's io controller is on),
 * which charges etcd's own fdatasync I/O. Calibrated in a closed loop until the
 * member's measured WAL fsync mean is within tolerance of the request; a
 * throttle that cannot reach it (wrong device, no writes) is not in effect.
 */
export function throttleDisk(opts: ThrottleDiskOptions): Fault {
  const targetMs = parseDuration(opts.fsync, 'throttleDisk.fsync');
  if (targetMs <= 0) throw new TypeError('throttleDisk.fsync: must be above 0');
  const tolerance = opts.tolerance ?? 0.25;
  if (!(tolerance > 0 && tolerance < 1)) throw new TypeError('throttleDisk.tolerance: expected a fraction between 0 and 1');
  const calibrateMs = parseDuration(opts.calibrateFor ?? '90s', 'throttleDisk.calibrateFor');
  return {
    name: 'throttleDisk',
    needs: ['etcd', 'etcd.disk-throttle'],
    describe: () => `throttle the ${opts.member}'s disk to ${formatDuration(targetMs)} WAL fsync (±${Math.round(tolerance * 100)}%)`,
    async inject({ target, journal, log, abort }): Promise<Injection> {
      const member = await selectMember(etcdOf(target), opts.member);
      const cgroup = await member.ioCgroup();
      const cgroupFile = writeIopsFile(cgroup);
      const device = opts.device ?? (await member.dataDevice());
      const history: CalibrationStep[] = [];
      let decision = nextIops(history, targetMs, { tolerance, aim: tolerance * 0.8, maxSteps: 8 });
      const { entry, appliedAt: injectedAt, previous } = await applyWriteIops(journal, { cgroup, device, value: decision.iops, cluster: member.node?.ref.cluster });
      log(`${member.name}: ${cgroupFile} ${device} ${decision.iops} iops (was ${previous || 'unlimited'})`);
      const deadline = injectedAt + calibrateMs;
      const measure = async (): Promise<CalibrationStep & { p99Ms?: number }> => ({ iops: decision.iops, ...(await measureWalFsync(member, targetMs, abort)) });
      let last = await measure();
      history.push(last);
      log(`${member.name}: ${decision.iops} iops → WAL fsync mean ${last.meanMs?.toFixed(0) ?? '—'} ms over ${last.samples} fsyncs`);
      while (!abort.aborted) {
        decision = nextIops(history, targetMs, { tolerance, aim: tolerance * 0.8, maxSteps: 8 });
        if (decision.done && (decision.iops === last.iops || !decision.reached)) break;
        if (Date.now() > deadline) break;
        const iops = decision.iops;
        await adjustWriteIops(journal, entry, iops);
        last = await measure();
        history.push(last);
        log(`${member.name}: ${iops} iops → WAL fsync mean ${last.meanMs?.toFixed(0) ?? '—'} ms over ${last.samples} fsyncs`);
        if (decision.done) break; // re-measured the best value found: that is the verification
      }
      const err = relativeError(last.meanMs, targetMs);
      const inEffect = err <= tolerance;
      const evidence =
        last.meanMs === undefined
          ? `no WAL fsync completed on ${member.name} while throttled (is there write load?)`
          : `${member.name} WAL fsync mean ${last.meanMs.toFixed(0)} ms over ${last.samples} fsyncs at ${last.iops} write iops on ${device} ` +
            `(target ${formatDuration(targetMs)} ±${Math.round(tolerance * 100)}%: ${inEffect ? 'reached' : 'NOT reached'}; ` +
            `tried ${history.map((h) => `${h.iops}→${h.meanMs?.toFixed(0) ?? '—'}ms`).join(', ')})`;
      return {
        injectedAt,
        inEffect,
        verifiedAt: inEffect ? Date.now() : undefined,
        evidence,
        subjects: [member.name],
        measurements: {
          member: member.name,
          device,
          iops: last.iops,
          walFsyncMeanMs: Math.round(last.meanMs ?? NaN),
          walFsyncP99Ms: Math.round(last.p99Ms ?? NaN),
          fsyncSamples: last.samples,
          calibrationSteps: history.length,
        },
        revert: () => journal.revert(entry),
      };
    },
  };
}
