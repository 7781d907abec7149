import type * as k8s from '@kubernetes/client-node';

/**
 * `kdrill watch`'s model: the postmortem's health check ("which node is down
 * and which pods were on it", every 5 minutes from a cron job) done right —
 * a line the moment something changes. Pure: objects in, lines out; the
 * command feeds it from watches and prints the lines.
 */
export type WatchLineKind = 'node.notready' | 'node.ready' | 'pod.notready' | 'pod.ready' | 'pod.restart' | 'pod.evicted' | 'restart-storm';

export interface WatchLine {
  kind: WatchLineKind;
  /** epoch ms of the change by the cluster's own clock (a condition's lastTransitionTime, a container's finishedAt) */
  at: number;
  /** epoch ms kdrill saw it */
  seen: number;
  node?: string;
  /** namespace/name */
  pod?: string;
  /** node lines: the pods on the node at that moment (namespace/name) */
  pods?: string[];
  reason?: string;
  message: string;
}

export interface StormRule {
  /** this many container restarts in kube-system ... */
  restarts: number;
  /** ... within this window (ms) is a restart storm */
  windowMs: number;
}

const time = (t: unknown): number | undefined => (t ? new Date(t as string).getTime() : undefined);
const podKey = (p: k8s.V1Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;

interface PodState {
  node?: string;
  ready?: boolean;
  restarts: Map<string, number>;
  evicted: boolean;
}

export class ClusterWatch {
  private readonly nodes = new Map<string, { ready: boolean }>();
  private readonly pods = new Map<string, PodState>();
  private systemRestarts: { at: number; pod: string }[] = [];
  private stormUntil = 0;

  constructor(private readonly storm: StormRule = { restarts: 5, windowMs: 5 * 60_000 }) {}

  /** The pods the model knows on a node now, sorted. */
  podsOn(node: string): string[] {
    return [...this.pods.entries()].filter(([, s]) => s.node === node).map(([k]) => k).sort();
  }

  /** A node object (listed or from a watch event); `initial` sets the state without a line (what was so before we looked). */
  node(n: k8s.V1Node, now: number, opts: { deleted?: boolean; initial?: boolean } = {}): WatchLine[] {
    const name = n.metadata?.name ?? '';
    if (opts.deleted) {
      this.nodes.delete(name);
      return [];
    }
    const c = (n.status?.conditions ?? []).find((x) => x.type === 'Ready');
    const ready = c?.status === 'True';
    const before = this.nodes.get(name);
    this.nodes.set(name, { ready });
    if (opts.initial ? ready : before === undefined || before.ready === ready) return [];
    const pods = this.podsOn(name);
    const reason = c?.reason ?? (c ? undefined : 'NoReadyCondition');
    const status = ready ? 'Ready' : `NotReady (Ready=${c?.status ?? 'missing'})`;
    return [
      {
        kind: ready ? 'node.ready' : 'node.notready',
        at: time(c?.lastTransitionTime) ?? now,
        seen: now,
        node: name,
        pods,
        reason,
        message: `node ${name} ${status}${reason ? ` ${reason}` : ''}${c?.message ? `: ${c.message}` : ''} — ${pods.length} pod(s) on it${pods.length ? `: ${pods.join(', ')}` : ''}`,
      },
    ];
  }

  /** A pod object (listed or from a watch event). */
  pod(p: k8s.V1Pod, now: number, opts: { deleted?: boolean; initial?: boolean } = {}): WatchLine[] {
    const key = podKey(p);
    if (opts.deleted) {
      this.pods.delete(key);
      return [];
    }
    const out: WatchLine[] = [];
    let s = this.pods.get(key);
    const fresh = !s;
    if (!s) this.pods.set(key, (s = { restarts: new Map(), evicted: false }));
    s.node = p.spec?.nodeName ?? s.node;
    const node = s.node;
    const rc = (p.status?.conditions ?? []).find((c) => c.type === 'Ready');
    const ready = rc?.status === 'True';
    // a pod that was Ready and is not any more: on a NotReady node the node controller marks it so (Ready=False, phase unchanged)
    if (!fresh && s.ready === true && !ready && !p.metadata?.deletionTimestamp) {
      const onBadNode = node !== undefined && this.nodes.get(node)?.ready === false;
      out.push({
        kind: 'pod.notready',
        at: time(rc?.lastTransitionTime) ?? now,
        seen: now,
        pod: key,
        node,
        reason: rc?.reason,
        message: `pod ${key} on ${node ?? '(no node)'} not Ready${rc?.reason ? ` (${rc.reason})` : ''}${onBadNode ? ' — its node is NotReady: kubectl shows it Running 0/1, the status the API keeps for pods whose kubelet stopped reporting' : ''}; phase ${p.status?.phase ?? '?'}`,
      });
    } else if (!fresh && s.ready === false && ready) {
      out.push({ kind: 'pod.ready', at: time(rc?.lastTransitionTime) ?? now, seen: now, pod: key, node, message: `pod ${key} on ${node ?? '(no node)'} Ready again` });
    }
    s.ready = ready;
    for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
      const before = s.restarts.get(cs.name);
      s.restarts.set(cs.name, cs.restartCount);
      if (fresh || opts.initial || before === undefined || cs.restartCount <= before) continue;
      const t = cs.lastState?.terminated;
      const at = time(t?.finishedAt) ?? now;
      out.push({
        kind: 'pod.restart',
        at,
        seen: now,
        pod: key,
        node,
        reason: t?.reason,
        message: `pod ${key} on ${node ?? '(no node)'}: container ${cs.name} restarted (#${cs.restartCount})${t ? `: ${t.reason ?? 'terminated'}, exit ${t.exitCode}` : ''}`,
      });
      if (p.metadata?.namespace === 'kube-system') out.push(...this.systemRestart(at, key, now));
    }
    if (p.status?.reason === 'Evicted' && !s.evicted) {
      s.evicted = true;
      if (!opts.initial) {
        const dt = (p.status.conditions ?? []).find((c) => c.type === 'DisruptionTarget');
        out.push({ kind: 'pod.evicted', at: time(dt?.lastTransitionTime) ?? now, seen: now, pod: key, node, reason: 'Evicted', message: `pod ${key} on ${node ?? '(no node)'} evicted: ${p.status.message ?? ''}`.trim() });
      }
    }
    return out;
  }

  private systemRestart(at: number, pod: string, now: number): WatchLine[] {
    this.systemRestarts.push({ at, pod });
    this.systemRestarts = this.systemRestarts.filter((r) => r.at > at - this.storm.windowMs);
    if (this.systemRestarts.length < this.storm.restarts || at < this.stormUntil) return [];
    this.stormUntil = at + this.storm.windowMs; // one line per window
    const pods = [...new Set(this.systemRestarts.map((r) => r.pod))].sort();
    return [
      {
        kind: 'restart-storm',
        at,
        seen: now,
        pods,
        message: `restart storm in kube-system: ${this.systemRestarts.length} container restarts within ${Math.round(this.storm.windowMs / 1000)} s (${pods.join(', ')})`,
      },
    ];
  }
}

/** One line for a terminal: the cluster's time, then the message. */
export function formatWatchLine(l: WatchLine): string {
  return `${new Date(l.at).toISOString()}  ${l.message}`;
}
