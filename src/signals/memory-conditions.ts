import { subjectMatches, type Condition, type SubjectFilter } from './signal.js';
import { nodeMemorySource } from './node-memory.js';
import { kernelOomSource } from './kernel-oom.js';
import { nodeReadySource } from './node-status.js';
import { podStatusSource } from './pod-status.js';

/**
 * What a node under memory pressure shows, in incident 004's words. `on`
 * picks nodes: "faulty" (the node the leak is pinned to), "others", "any",
 * or a node name; `app` picks the run's pods by their app label.
 */
const onNode = (on: SubjectFilter | undefined) => on ?? 'faulty';
const appOf = (text: string | undefined) => /^app=(\S+)/.exec(text ?? '')?.[1];

/** The node's memory (its own cgroup's usage) above `percent` of its cap. */
export function nodeMemoryNearCap(opts: { percent?: number; on?: SubjectFilter } = {}): Condition {
  const pct = opts.percent ?? 90;
  const on = onNode(opts.on);
  return {
    name: `node memory above ${pct}% of its cap on ${on}`,
    kind: 'level',
    sources: [nodeMemorySource()],
    test: (o, scope) => (o.signal === 'node.memory.of_cap' && o.value !== undefined && subjectMatches(on, o.subject, scope) ? o.value > pct : undefined),
    threshold: { value: pct, unit: '%' },
  };
}

/** Major page faults on the node above `perSecond` (code and file pages evicted and read back from disk: thrashing). */
export function majorFaultSpike(opts: { perSecond?: number; on?: SubjectFilter } = {}): Condition {
  const rate = opts.perSecond ?? 200;
  const on = onNode(opts.on);
  return {
    name: `major page faults above ${rate}/s on ${on}`,
    kind: 'level',
    sources: [nodeMemorySource()],
    test: (o, scope) => (o.signal === 'node.majfault_rate' && o.value !== undefined && subjectMatches(on, o.subject, scope) ? o.value > rate : undefined),
    threshold: { value: rate, unit: 'faults/s' },
  };
}

/**
 * The kernel OOM-killed a process on the node, named from the kernel log.
 * `limit: 'node'` only when the node's own cap was hit (the node ran out of
 * memory), `'container'` only when a container's limit inside the node was;
 * `task` the killed process's name.
 */
export function kernelOomKill(opts: { task?: string; limit?: 'node' | 'container'; on?: SubjectFilter } = {}): Condition {
  const on = onNode(opts.on);
  const what = `${opts.task ?? 'a process'}${opts.limit ? ` at the ${opts.limit}'s limit` : ''}`;
  return {
    name: `the kernel OOM-killed ${what} on ${on}`,
    kind: 'event',
    sources: [kernelOomSource()],
    test: (o, scope) => {
      if ((o.signal !== 'kernel.oom_kill' && o.signal !== 'kernel.oom_watch') || !subjectMatches(on, o.subject, scope)) return undefined;
      // watching and no kill, or a kill of another kind: evidence that this one did not happen
      if (o.signal === 'kernel.oom_watch') return false;
      if (opts.limit && (o.value === 1) !== (opts.limit === 'node')) return false;
      if (opts.task && !(o.text ?? '').startsWith(`the kernel killed ${opts.task} `)) return false;
      return true;
    },
  };
}

/** The node is not Ready (the kubelet stopped reporting, or says it is not). */
export function nodeNotReady(opts: { on?: SubjectFilter } = {}): Condition {
  const on = onNode(opts.on);
  return {
    name: `node NotReady on ${on}`,
    kind: 'level',
    sources: [nodeReadySource()],
    test: (o, scope) => (o.signal === 'node.ready' && subjectMatches(on, o.subject, scope) ? o.value === 0 : undefined),
  };
}

/** The kubelet reports MemoryPressure on the node (its eviction threshold crossed). */
export function nodeMemoryPressure(opts: { on?: SubjectFilter } = {}): Condition {
  const on = onNode(opts.on);
  return {
    name: `node MemoryPressure on ${on}`,
    kind: 'level',
    sources: [nodeReadySource()],
    test: (o, scope) => (o.signal === 'node.memory_pressure' && subjectMatches(on, o.subject, scope) ? o.value === 1 : undefined),
  };
}

/** A container of the app's pods was OOMKilled (its own limit: the runtime's reason, restart counted). */
export function containerOomKilled(opts: { app: string }): Condition {
  return {
    name: `a container of app=${opts.app} was OOMKilled and restarted`,
    kind: 'event',
    sources: [podStatusSource()],
    test: (o) => (o.signal === 'pod.restart' && appOf(o.text) === opts.app ? / OOMKilled /.test(o.text ?? '') || undefined : undefined),
  };
}

/**
 * A pod of the app was evicted by its kubelet's eviction manager (node
 * memory pressure); with `orTurnedAway`, also a pod the kubelet refused at
 * admission while under pressure.
 */
export function podEvicted(opts: { app: string; orTurnedAway?: boolean }): Condition {
  return {
    name: `a pod of app=${opts.app} was evicted${opts.orTurnedAway ? ' or turned away' : ''}`,
    kind: 'event',
    sources: [podStatusSource()],
    test: (o) => (o.signal === 'pod.evicted' && appOf(o.text) === opts.app && (o.value === 1 || opts.orTurnedAway) ? true : undefined),
  };
}

/** A pod of the app is not Ready, or one of its containers restarted: the neighbours were touched. */
export function podsDisrupted(opts: { app: string }): Condition {
  return {
    name: `a pod of app=${opts.app} lost Ready or restarted`,
    kind: 'level',
    sources: [podStatusSource()],
    test: (o) => {
      if (appOf(o.text) !== opts.app) return undefined;
      if (o.signal === 'pod.restart' || o.signal === 'pod.evicted') return true;
      if (o.signal === 'pod.ready') return o.value === 0;
      return undefined;
    },
  };
}
