import type { NodeCgroup } from './node.js';
import type { Etcd3 } from 'etcd3';
import type { NodeAccess } from './node.js';
import { findSample, parsePrometheusText } from '../util/prometheus-text.js';

/**
 * One etcd member, however it is run (a testcontainers container, a kubeadm
 * static pod on a kind node).
 */
export interface EtcdMember {
  name: string;
  /** Members in containers kdrill made (capability etcd.containers): the container, and its peer network and aliases. */
  container?: { name: string; peerNetwork: { name: string; aliases: string[] } };
  /** Members that are static pods: the node they run on. */
  node?: NodeAccess;
  /** The client URL reachable from this process. */
  clientUrl(): string;
  /** The Prometheus text of the member's /metrics. */
  metrics(timeoutMs?: number): Promise<string>;
  /** GET on the metrics listener (/livez, /readyz, /health): the body, or a rejection on no answer or an HTTP error. */
  metricsGet(path: string, timeoutMs: number): Promise<string>;
  /** the cgroup charged for the member's disk I/O, v1 blkio or v2 (capability etcd.disk-throttle). */
  ioCgroup(): Promise<NodeCgroup>;
  /** "major:minor" of the whole block device the member's data dir lives on. */
  dataDevice(): Promise<string>;
  /**
   * Present when the member's data dir is behind kdrill-slowfs (capability
   * etcd.slowfs): the file on `node` holding its exact fsync delay in ms
   * (absent or 0 = none), and the layer's counters (delay_ms in force, fsyncs, delayed).
   */
  fsyncDelay?: { node: NodeAccess; controlFile: string; stats(): Promise<Record<string, number>> };
  /** Follows the member's log lines from `since` (epoch ms); returns how to stop. Survives member restarts. */
  followLogs(since: number, onLine: (line: string) => void): () => void;
}

/** A target's etcd: its members and clients. */
export interface EtcdCapability {
  members: EtcdMember[];
  /** A client over every member's endpoint. */
  client(): Etcd3;
  /** A client bound to one member only. */
  memberClient(name: string): Etcd3;
}

export type MemberSelector = 'leader' | 'follower' | string;

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
export async function selectMember(t: EtcdCapability, sel: MemberSelector): Promise<EtcdMember> {
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
