import { formatDuration, parseDuration, type Duration } from '../util/duration.js';
import type { Condition } from './signal.js';
import { nodeProcessSource } from './kube-procs.js';
import { apiWriteSource } from './kube-api.js';
import { kubeEventSource } from './kube-events.js';
import { componentLogSource, kubeletLogSource } from './kube-logs.js';

/**
 * What a kind cluster shows, in the words the postmortems use. Components are
 * the control-plane commands: etcd, kube-apiserver, kube-scheduler,
 * kube-controller-manager.
 */
type Cond = Condition;
export type Component = 'etcd' | 'kube-apiserver' | 'kube-scheduler' | 'kube-controller-manager';

const ofComponent = (subject: string, c: Component) => subject.endsWith(`/${c}`);

/** The component's process started again (a restart), seen on the node itself. */
export function restarted(component: Component): Cond {
  return {
    name: `${component} restarted`,
    kind: 'event',
    sources: [nodeProcessSource()],
    // a start fires; the same process still running is evidence it did not (holds(restarted(...)) needs both)
    test: (o) => (o.signal === 'proc.state' && ofComponent(o.subject, component) ? (o.text === 'start' ? true : o.text === 'running' ? false : undefined) : undefined),
  };
}

/** The component's process is not running (from its exit to its next start). */
export function processDown(component: Component): Cond {
  return {
    name: `${component} not running`,
    kind: 'level',
    sources: [nodeProcessSource()],
    test: (o) => {
      if (o.signal !== 'proc.state' || !ofComponent(o.subject, component)) return undefined;
      return o.value === 0;
    },
  };
}

/** A client's write to the API server fails (refused, error, or no answer within 10 s). */
export function apiUnavailable(): Cond {
  return {
    name: 'API server write fails',
    kind: 'level',
    sources: [apiWriteSource()],
    test: (o) => (o.signal === 'api.ok' ? o.value === 0 : undefined),
  };
}

/** A client's write to the API server takes longer than `above` (failures count with their elapsed time). */
export function apiWriteLatency(opts: { above: Duration }): Cond {
  const above = parseDuration(opts.above, 'apiWriteLatency.above');
  return {
    name: `API write latency > ${formatDuration(above)}`,
    kind: 'level',
    sources: [apiWriteSource()],
    threshold: { value: above, unit: 'ms' },
    test: (o) => (o.signal === 'api.write' && o.value !== undefined ? o.value > above : undefined),
  };
}

/** A kube-system Event whose "<reason>: <message>" matches (e.g. the kubelet killing etcd for its liveness probe). */
export function kubeEvent(pattern: RegExp, opts: { pod?: RegExp; label?: string } = {}): Cond {
  return {
    name: opts.label ?? `event /${pattern.source}/`,
    kind: 'event',
    sources: [kubeEventSource()],
    test: (o) => (o.signal === 'kube.event' && (!opts.pod || opts.pod.test(o.subject)) && pattern.test(o.text ?? '') ? true : undefined),
  };
}

/**
 * The kubelet killed the container because its liveness probe failed: the
 * finding that names the probe. Two witnesses: the kubelet's Event, and its
 * own journal on the node (at verbosity 2: `containerMessage="Container etcd
 * failed liveness probe, will be restarted"`). The journal is the one that
 * survives a control plane that is down: with etcd at 6 s per fsync no kill
 * Event reached the API (measured), as in 001, where kubectl could not connect.
 */
export function killedByLivenessProbe(container: Component): Cond {
  const message = `Container ${container} failed liveness probe, will be restarted`;
  const event = kubeEvent(new RegExp(message), { pod: new RegExp(`^${container}-`) });
  // kuberuntime_manager's structured line: ... pod="kube-system/etcd-<node>" containerMessage="<message>"
  const inJournal = new RegExp(`pod="kube-system/${container}-[^"]*".*${message}`);
  return {
    name: `kubelet killed ${container}: liveness probe failed`,
    kind: 'event',
    sources: [...event.sources, kubeletLogSource()],
    test: (o, scope) => (o.signal !== 'log.kubelet' ? event.test(o, scope) : inJournal.test(o.text ?? '') || undefined),
  };
}

/** A line in a component's own log (read from the node, not through the API). */
export function componentLog(component: 'kube-apiserver' | 'kube-scheduler' | 'kube-controller-manager', pattern: RegExp, label?: string): Cond {
  return {
    name: label ?? `${component} log /${pattern.source}/`,
    kind: 'event',
    sources: [componentLogSource(component)],
    test: (o) => (o.signal === `log.${component}` && pattern.test(o.text ?? '') ? true : undefined),
  };
}

/** The scheduler or controller-manager could not renew its leader-election Lease (it exits right after). */
export function leaseRenewalFailed(component: 'kube-scheduler' | 'kube-controller-manager'): Cond {
  return componentLog(component, /failed to renew lease|leaderelection lost|Failed to update lock|error retrieving resource lock/i, `${component} failed to renew its lease`);
}

/** The API server reports etcd trouble: request timeouts, deadline exceeded, slow applies. */
export function apiserverEtcdErrors(): Cond {
  return componentLog(
    'kube-apiserver',
    /etcdserver: request timed out|context deadline exceeded|Timeout: request did not complete|etcdserver: leader changed|etcdserver: too many requests/,
    'kube-apiserver logs etcd timeouts',
  );
}
