import { subjectMatches, type Condition, type SubjectFilter } from './signal.js';
import { podCidrSource } from './pod-cidr.js';
import { cniConfigSource } from './cni-configs.js';
import { newPodsSource } from './new-pods.js';

/**
 * What the network shows, in the postmortem's words. `on` picks nodes:
 * "faulty" (the nodes the fault or a remediation step touched), "others",
 * "any", or a node name.
 */
function level(name: string, signal: string, on: SubjectFilter, sources: Condition['sources'], firing: (v: number) => boolean): Condition {
  return {
    name,
    kind: 'level',
    sources,
    test: (o, scope) => (o.signal === signal && o.value !== undefined && subjectMatches(on, o.subject, scope) ? firing(o.value) : undefined),
  };
}

/** A pod got an address outside its node's spec.podCIDR ("all new pods have the incorrect CIDR"): any pod, cluster-wide. */
export function podIpOutsideNodeCidr(opts: { on?: SubjectFilter } = {}): Condition {
  const on = opts.on ?? 'any';
  return level(`a pod's IP is outside its node's podCIDR on ${on}`, 'pod.cidr', on, [podCidrSource()], (v) => v === 0);
}

/** A node holds more than one CNI config in /etc/cni/net.d (containerd loads only the lexically first). */
export function multipleCniConfigs(opts: { on?: SubjectFilter } = {}): Condition {
  const on = opts.on ?? 'any';
  return { ...level(`more than one CNI config in /etc/cni/net.d on ${on}`, 'cni.configs', on, [cniConfigSource()], (v) => v > 1), threshold: { value: 1, unit: 'configs' } };
}

/** A new pod on the node cannot reach a peer pod on another node directly ("endless CrashLoopBackOff for all new pods"). */
export function newPodsCannotReachPeers(opts: { on?: SubjectFilter; every?: string } = {}): Condition {
  const on = opts.on ?? 'any';
  return level(`new pods cannot reach pods on other nodes on ${on}`, 'newpod.peer', on, [newPodsSource({ every: opts.every })], (v) => v === 0);
}

/** A new pod on the node cannot reach a Service by its ClusterIP. */
export function newPodsCannotReachService(opts: { on?: SubjectFilter; every?: string } = {}): Condition {
  const on = opts.on ?? 'any';
  return level(`new pods cannot reach a Service on ${on}`, 'newpod.service', on, [newPodsSource({ every: opts.every })], (v) => v === 0);
}

/** A new pod on the node gets an address outside the node's podCIDR. */
export function newPodsGetWrongCidr(opts: { on?: SubjectFilter; every?: string } = {}): Condition {
  const on = opts.on ?? 'any';
  return level(`new pods get IPs outside their node's podCIDR on ${on}`, 'newpod.cidr', on, [newPodsSource({ every: opts.every })], (v) => v === 0);
}

/** A new pod on the node never runs (its sandbox is not set up). */
export function newPodsDoNotStart(opts: { on?: SubjectFilter; every?: string } = {}): Condition {
  const on = opts.on ?? 'any';
  return level(`new pods never run on ${on}`, 'newpod.started', on, [newPodsSource({ every: opts.every })], (v) => v === 0);
}

/** A new pod on the node reached every peer pod on the other nodes (the positive: "pods answer"). */
export function newPodsReachPeers(opts: { on?: SubjectFilter; every?: string } = {}): Condition {
  const on = opts.on ?? 'any';
  return level(`new pods reach pods on other nodes on ${on}`, 'newpod.peer', on, [newPodsSource({ every: opts.every })], (v) => v === 1);
}

/** A pod got the address of a live pod on another node (per-node IPAM on one shared range). */
export function duplicatePodIps(opts: { on?: SubjectFilter } = {}): Condition {
  const on = opts.on ?? 'any';
  return {
    name: `a pod got the address of a live pod on another node on ${on}`,
    kind: 'event',
    sources: [podCidrSource()],
    test: (o, scope) => (o.signal === 'pod.duplicate_ip' && subjectMatches(on, o.subject, scope) ? true : undefined),
  };
}
