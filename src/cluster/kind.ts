import { execa } from 'execa';
import { ensureKind } from '../image/kind-source.js';
import { KdrillError } from '../util/errors.js';

/** Every cluster kdrill creates is named with this prefix; kdrill deletes nothing else. */
export const CLUSTER_PREFIX = 'kdrill-';

export function clusterName(name: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    throw new KdrillError(`cluster name "${name}": use lowercase letters, digits and dashes`);
  }
  const full = name.startsWith(CLUSTER_PREFIX) ? name : CLUSTER_PREFIX + name;
  if (full.length > 40) throw new KdrillError(`cluster name "${full}" is too long (kind node names must stay short)`);
  return full;
}

export async function kind(args: string[], opts: { input?: string; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string> {
  const bin = await ensureKind();
  try {
    const r = await execa(bin, args, { input: opts.input, timeout: opts.timeoutMs, all: true, ...(opts.signal ? { cancelSignal: opts.signal } : {}) });
    return r.stdout;
  } catch (e: unknown) {
    const err = e as { all?: string; shortMessage?: string };
    const out = (err.all ?? '').trim().split('\n').slice(-30).join('\n');
    throw new KdrillError(`kind ${args.join(' ')} failed:\n${out || err.shortMessage}`);
  }
}

/** kind clusters on this Docker host that kdrill owns (name prefix kdrill-). */
export async function listKdrillClusters(): Promise<string[]> {
  const out = await kind(['get', 'clusters']);
  return out
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s.startsWith(CLUSTER_PREFIX));
}

export interface NodeContainer {
  name: string;
  role: 'control-plane' | 'worker' | 'external-load-balancer' | string;
}

/** The Docker containers of a kind cluster (kind labels them io.x-k8s.kind.cluster / .role). */
export async function nodeContainers(cluster: string): Promise<NodeContainer[]> {
  const r = await execa('docker', [
    'ps', '-a', '--filter', `label=io.x-k8s.kind.cluster=${cluster}`, '--format', '{{.Names}}\t{{.Label "io.x-k8s.kind.role"}}',
  ]);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name, role] = l.split('\t');
      return { name: name!, role: role ?? '' };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
