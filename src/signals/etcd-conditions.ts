import { formatDuration, parseDuration, type Duration } from '../util/duration.js';
import { subjectMatches, type Condition, type SubjectFilter } from './signal.js';
import { etcdMetricsSource } from './etcd-metrics.js';
import { etcdLogSource } from './etcd-logs.js';
import { etcdPutLatencySource } from './etcd-put-latency.js';

/**
 * The words scenarios use for what etcd shows. `on` picks members: "faulty"
 * (the member(s) the fault hit), "others", "any", or a member name.
 */
type Cond = Condition;

function aboveCondition(signal: string, label: string, source: () => Cond['sources'][number], field: string) {
  return (opts: { above: Duration; on?: SubjectFilter }): Cond => {
    const above = parseDuration(opts.above, `${field}.above`);
    const on = opts.on ?? 'faulty';
    return {
      name: `${label} > ${formatDuration(above)} on ${on}`,
      kind: 'level',
      sources: [source()],
      threshold: { value: above, unit: 'ms' },
      test: (o, scope) => (o.signal === signal && o.value !== undefined && subjectMatches(on, o.subject, scope) ? o.value > above : undefined),
    };
  };
}

/** WAL fsync p99 over the last 5 s, from etcd_disk_wal_fsync_duration_seconds. */
export const walFsyncP99 = aboveCondition('etcd.wal_fsync_p99', 'WAL fsync p99', etcdMetricsSource, 'walFsyncP99');
/** Backend (bbolt) commit p99 over the last 5 s, from etcd_disk_backend_commit_duration_seconds. */
export const backendCommitP99 = aboveCondition('etcd.backend_commit_p99', 'backend commit p99', etcdMetricsSource, 'backendCommitP99');
/** Latency of a client put through the member (failed puts count with their elapsed time). */
export const clientPutLatency = aboveCondition('etcd.put_latency', 'client put latency', etcdPutLatencySource, 'clientPutLatency');

/** Any member saw a new leader (etcd_server_leader_changes_seen_total grew, across restarts). */
export function leaderChanges(opts: { on?: SubjectFilter } = {}): Cond {
  const on = opts.on ?? 'any';
  return {
    name: `leader change seen by ${on}`,
    kind: 'event',
    sources: [etcdMetricsSource()],
    test: (o, scope) => (o.signal === 'etcd.leader_change' && subjectMatches(on, o.subject, scope) ? true : undefined),
  };
}

/** A member reports no leader (etcd_server_has_leader 0). */
export function noLeader(opts: { on?: SubjectFilter } = {}): Cond {
  const on = opts.on ?? 'any';
  return {
    name: `no leader on ${on}`,
    kind: 'level',
    sources: [etcdMetricsSource()],
    test: (o, scope) => (o.signal === 'etcd.has_leader' && subjectMatches(on, o.subject, scope) ? o.value === 0 : undefined),
  };
}

/** A member does not answer /metrics, or answers without a leader: the steady-state check. */
export function memberUnhealthy(opts: { on?: SubjectFilter } = {}): Cond {
  const on = opts.on ?? 'any';
  return {
    name: `member unhealthy (no /metrics or no leader) on ${on}`,
    kind: 'level',
    sources: [etcdMetricsSource()],
    test: (o, scope) => {
      if (!subjectMatches(on, o.subject, scope)) return undefined;
      if (o.signal === 'etcd.scrape') return o.value === 0; // an answer clears an earlier silence
      if (o.signal === 'etcd.has_leader') return o.value === 0;
      return undefined;
    },
  };
}

/** A member's /metrics does not answer (process dead, frozen, or unreachable from here). */
export function memberDown(opts: { on?: SubjectFilter } = {}): Cond {
  const on = opts.on ?? 'faulty';
  return {
    name: `member down (/metrics does not answer) on ${on}`,
    kind: 'level',
    sources: [etcdMetricsSource()],
    test: (o, scope) => (o.signal === 'etcd.scrape' && subjectMatches(on, o.subject, scope) ? o.value === 0 : undefined),
  };
}

/** A warning line in a member's zap log matching `pattern`. */
export function logLine(pattern: string | RegExp, opts: { on?: SubjectFilter } = {}): Cond {
  const on = opts.on ?? 'any';
  const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
  return {
    name: `log "${typeof pattern === 'string' ? pattern : pattern.source}" on ${on}`,
    kind: 'event',
    sources: [etcdLogSource()],
    test: (o, scope) => (o.signal === 'etcd.log' && subjectMatches(on, o.subject, scope) && re.test(o.text ?? '') ? true : undefined),
  };
}

/**
 * etcd's "apply request took too long" (logged past 100 ms). With `above`, only applies that took longer
 * count: on 2 cores a fresh cluster logs 100-200 ms applies at rest, which a slow-disk drill must not count.
 */
export function slowApply(opts: { on?: SubjectFilter; above?: Duration } = {}): Cond {
  const base = logLine('apply request took too long', opts);
  if (opts.above === undefined) return base;
  const limit = parseDuration(opts.above, 'slowApply.above') / 1000;
  return {
    ...base,
    name: `log "apply request took too long" (took > ${formatDuration(limit * 1000)}) on ${opts.on ?? 'any'}`,
    // the log source reads the line's "took" into the observation's value (seconds)
    test: (o, scope) => (base.test(o, scope) === true && o.value !== undefined && o.value > limit ? true : undefined),
  };
}
export const slowFdatasync = (opts: { on?: SubjectFilter } = {}): Cond => logLine('slow fdatasync', opts);
export const lateHeartbeat = (opts: { on?: SubjectFilter } = {}): Cond => logLine('leader failed to send out heartbeat on time', opts);
