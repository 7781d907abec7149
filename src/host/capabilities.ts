import { readFileSync } from 'node:fs';

const CAP_SYS_RESOURCE = 24;

/**
 * Does this host's capability bounding set lack CAP_SYS_RESOURCE (true on
 * these VMs)? Then nothing inside a kind node may lower oom_score_adj, and
 * containerd must clamp it (restrict_oom_score_adj) or every sandbox fails.
 */
export function hostLacksSysResource(statusText = readFileSync('/proc/self/status', 'utf8')): boolean {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(statusText);
  if (!m) return false;
  return ((BigInt(`0x${m[1]}`) >> BigInt(CAP_SYS_RESOURCE)) & 1n) === 0n;
}
