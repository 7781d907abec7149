import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { KdrillError } from '../util/errors.js';

export interface KindNodeConfig {
  role: 'control-plane' | 'worker';
  image?: string;
  extraMounts?: { hostPath: string; containerPath: string; readOnly?: boolean; propagation?: string }[];
  kubeadmConfigPatches?: string[];
  labels?: Record<string, string>;
  [k: string]: unknown;
}

export interface KindConfig {
  kind: 'Cluster';
  apiVersion: 'kind.x-k8s.io/v1alpha4';
  name?: string;
  nodes?: KindNodeConfig[];
  networking?: Record<string, unknown>;
  containerdConfigPatches?: string[];
  kubeadmConfigPatches?: string[];
  [k: string]: unknown;
}

/** containerd must clamp negative oom_score_adj where the host forbids it (no CAP_SYS_RESOURCE). */
export const RESTRICT_OOM_SCORE_ADJ_PATCH = '[plugins."io.containerd.grpc.v1.cri"]\n  restrict_oom_score_adj = true\n';

export function readKindConfig(path: string): KindConfig {
  let doc: unknown;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new KdrillError(`kind config ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new KdrillError(`kind config ${path}: not YAML (${(e as Error).message.split('\n')[0]})`);
  }
  const c = doc as KindConfig;
  if (!c || c.kind !== 'Cluster') throw new KdrillError(`kind config ${path}: field "kind" must be "Cluster"`);
  if (c.apiVersion !== 'kind.x-k8s.io/v1alpha4') throw new KdrillError(`kind config ${path}: field "apiVersion" must be "kind.x-k8s.io/v1alpha4"`);
  if (c.nodes !== undefined && !Array.isArray(c.nodes)) throw new KdrillError(`kind config ${path}: field "nodes" must be a list of nodes`);
  for (const [i, n] of (c.nodes ?? []).entries()) {
    if (!n || typeof n !== 'object') throw new KdrillError(`kind config ${path}: field "nodes[${i}]" must be a node ({ role: control-plane | worker })`);
    if (n.role !== 'control-plane' && n.role !== 'worker') throw new KdrillError(`kind config ${path}: field "nodes[${i}].role" must be control-plane or worker`);
  }
  return c;
}

/**
 * The kind config kdrill creates a cluster from: the scenario's own config
 * (if any) or N control planes + M workers, plus what this host needs.
 */
export function renderKindConfig(opts: {
  name: string;
  controlPlanes: number;
  workers: number;
  base?: KindConfig;
  restrictOomScoreAdj: boolean;
}): { config: KindConfig; yaml: string } {
  const nodes: KindNodeConfig[] = opts.base?.nodes?.length
    ? opts.base.nodes
    : [
        ...Array.from({ length: opts.controlPlanes }, () => ({ role: 'control-plane' as const })),
        ...Array.from({ length: opts.workers }, () => ({ role: 'worker' as const })),
      ];
  if (!nodes.some((n) => n.role === 'control-plane')) throw new KdrillError('a cluster needs at least one control-plane node');
  const config: KindConfig = {
    ...(opts.base ?? {}),
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: opts.name,
    nodes,
    containerdConfigPatches: [...(opts.base?.containerdConfigPatches ?? []), ...(opts.restrictOomScoreAdj ? [RESTRICT_OOM_SCORE_ADJ_PATCH] : [])],
  };
  if (!config.containerdConfigPatches!.length) delete config.containerdConfigPatches;
  return { config, yaml: YAML.stringify(config) };
}

export function countRoles(c: KindConfig): { controlPlanes: number; workers: number } {
  const nodes = c.nodes ?? [];
  return { controlPlanes: nodes.filter((n) => n.role === 'control-plane').length, workers: nodes.filter((n) => n.role === 'worker').length };
}
