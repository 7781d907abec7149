import type { Etcd3 } from 'etcd3';
import type { Target } from './target.js';
import { findSample, parsePrometheusText } from '../signals/prometheus-text.js';

/**
 * One etcd member, however it is run (a testcontainers container, a static
 * pod inside a kind node container). Faults act on `container` (the docker
 * container whose cgroup, network and process hold the member).
 */
export interface EtcdMember {
  name: string;
  /** Docker container holding the member's process (for kind: the node container). */
  container: string;
  /** The docker network the member's peer traffic uses, and its aliases there. */
  peerNetwork: { name: string; aliases: string[] };
  /** The client URL reachable from this process. */
  clientUrl(): string;
  /** The Prometheus text of the member's /metrics. */
  metrics(timeoutMs?: number): Promise<string>;
  /** cgroup v1 blkio directory charged for the member's I/O. */
  blkioCgroupDir(): Promise<string>;
  /** "major:minor" of the whole block device the member's data dir lives on. */
  dataDevice(): Promise<string>;
  /**
   * Present when the member's data dir is behind kdrill-slowfs: the file in
   * `container` holding its exact fsync delay in ms (absent or 0 = none), and
   * the layer's counters (delay_ms in force, fsyncs, delayed).
   */
  fsyncDelay?: { controlFile: string; stats(): Promise<Record<string, number>> };
  /** Follows the member's log lines from `since` (epoch ms); returns how to stop. Survives member restarts. */
  followLogs(since: number, onLine: (line: string) => void): () => void;
}

export interface EtcdTarget extends Target {
  kind: 'etcd';
  members: EtcdMember[];
  /** A client over every member's endpoint. */
  client(): Etcd3;
  /** A client bound to one member only. */
  memberClient(name: string): Etcd3;
}

export type MemberSelector = 'leader' | 'follower' | string;

export function isEtcdTarget(t: unknown): t is EtcdTarget {
  return typeof t === 'object' && t !== null && (t as Target).kind === 'etcd';
}

/** The member's view: is it the leader, and what is its raft id. */
export async function memberRole(m: EtcdMember): Promise<{ isLeader: boolean; hasLeader: boolean; id: string }> {
  const s = parsePrometheusText(await m.metrics());
  return {
    isLeader: findSample(s, 'etcd_server_is_leader')?.value === 1,
    hasLeader: findSample(s, 'etcd_server_has_leader')?.value === 1,
    id: findSample(s, 'etcd_server_id')?.labels.server_id ?? '',
  };
}

/** Resolves "leader", "follower" (the first non-leader by name) or a member name, now. */
export async function selectMember(t: EtcdTarget, sel: MemberSelector): Promise<EtcdMember> {
  if (sel !== 'leader' && sel !== 'follower') {
    const m = t.members.find((x) => x.name === sel);
    if (!m) throw new Error(`no etcd member named "${sel}" (members: ${t.members.map((x) => x.name).join(', ')})`);
    return m;
  }
  const roles = await Promise.all(t.members.map(async (m) => ({ m, r: await memberRole(m).catch(() => undefined) })));
  const leaders = roles.filter((x) => x.r?.isLeader);
  if (leaders.length !== 1) throw new Error(`cannot pick the ${sel}: ${leaders.length} members report being leader`);
  if (sel === 'leader') return leaders[0]!.m;
  const f = roles.find((x) => x.r && !x.r.isLeader && x.r.hasLeader);
  if (!f) throw new Error('cannot pick a follower: no member reports a leader other than itself');
  return f.m;
}
