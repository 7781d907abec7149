import type { EtcdMember, MemberSelector } from '../targets/etcd-target.js';
import { selectMember } from '../targets/etcd-target.js';
import { etcdOf } from '../targets/target.js';
import { writeNodeFileChange } from '../changes/node-file.js';
import { relativeError } from './calibration.js';
import { measureWalFsync } from '../signals/wal-fsync.js';
import type { Fault, Injection } from './fault.js';
import { parseDuration, formatDuration, type Duration } from '../util/duration.js';
import { KdrillError } from '../util/errors.js';
import { sleep } from '../util/sleep.js';

export interface DelayFsyncOptions {
  /** Which member's disk: "leader", "follower", or a member name (resolved at injection). */
  member: MemberSelector;
  /** Delay added to every fsync/fdatasync of the member's data dir. */
  fsync: Duration;
  /** Accepted relative error of the measured WAL fsync mean (default 0.15). */
  tolerance?: number;
}

/** Polls the layer's own report (a node file; nothing to watch) until it has the delay in force; false after 3 s. */
async function layerInForce(layer: NonNullable<EtcdMember['fsyncDelay']>, ms: number, abort: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + 3000;
  while (!abort.aborted && Date.now() < deadline) {
    if ((await layer.stats().catch(() => ({}) as Record<string, number>)).delay_ms === ms) return true;
    await sleep(200, abort);
  }
  return false;
}

/**
 * Exact slow fsync: sets the member's kdrill-slowfs delay (a FUSE layer under
 * its data dir, part of the cluster shape), journaled first. Verified in
 * effect on etcd's own WAL fsync histogram, not on the layer's word; the
 * layer's counters are reported alongside. Needs a target whose members have
 * `fsyncDelay` (kind shapes with etcdSlowFs).
 */
export function delayFsync(opts: DelayFsyncOptions): Fault {
  const targetMs = parseDuration(opts.fsync, 'delayFsync.fsync');
  if (targetMs <= 0 || !Number.isInteger(targetMs)) throw new TypeError('delayFsync.fsync: expected a whole number of milliseconds above 0');
  const tolerance = opts.tolerance ?? 0.15;
  if (!(tolerance > 0 && tolerance < 1)) throw new TypeError('delayFsync.tolerance: expected a fraction between 0 and 1');
  return {
    name: 'delayFsync',
    needs: ['etcd', 'etcd.slowfs', 'node.fs'],
    describe: () => `delay every fsync on the ${opts.member}'s data dir by ${formatDuration(targetMs)} (kdrill-slowfs; ±${Math.round(tolerance * 100)}% on the WAL fsync mean)`,
    async inject({ target, journal, log, abort }): Promise<Injection> {
      const member = await selectMember(etcdOf(target), opts.member);
      const layer = member.fsyncDelay;
      if (!layer) {
        throw new KdrillError(`delayFsync: ${member.name}'s data dir is not behind kdrill-slowfs`, {
          hint: 'run the scenario on a kind shape with etcdSlowFs: true, or use throttleDisk (cgroup blkio) instead',
        });
      }
      const before = await layer.stats().catch(() => ({}) as Record<string, number>);
      const { entry, appliedAt: injectedAt, prior } = await writeNodeFileChange(journal, layer.node, layer.controlFile, `${targetMs}\n`);
      log(`${member.name}: ${layer.controlFile} = ${targetMs} (was ${prior ? Buffer.from(prior.b64, 'base64').toString('utf8').trim() : 'absent'})`);
      // the layer re-reads its control file every 100 ms and reports the delay in force at once: measure after that
      const taken = await layerInForce(layer, targetMs, abort);
      const m = taken ? await measureWalFsync(member, targetMs, abort) : undefined;
      const err = relativeError(m?.meanMs, targetMs);
      const inEffect = taken && err <= tolerance;
      const after = await layer.stats().catch(() => ({}) as Record<string, number>);
      const delayedByLayer = (after.delayed ?? 0) - (before.delayed ?? 0);
      const evidence = !taken
        ? `kdrill-slowfs on ${member.name} did not report a ${targetMs} ms delay in force within 3 s (reports ${after.delay_ms ?? 'nothing'})`
        : m?.meanMs === undefined
          ? `no WAL fsync completed on ${member.name} with the delay set (is there write load?)`
          : `${member.name} WAL fsync mean ${m.meanMs.toFixed(0)} ms over ${m.samples} fsyncs with a ${formatDuration(targetMs)} delay ` +
            `(±${Math.round(tolerance * 100)}%: ${inEffect ? 'reached' : 'NOT reached'}; the layer delayed ${delayedByLayer} fsyncs)`;
      return {
        injectedAt,
        inEffect,
        verifiedAt: inEffect ? Date.now() : undefined,
        evidence,
        subjects: [member.name],
        measurements: {
          member: member.name,
          delayMs: targetMs,
          walFsyncMeanMs: Math.round(m?.meanMs ?? NaN),
          walFsyncP99Ms: Math.round(m?.p99Ms ?? NaN),
          fsyncSamples: m?.samples ?? 0,
          layerDelayedFsyncs: delayedByLayer,
        },
        revert: () => journal.revert(entry),
      };
    },
  };
}
