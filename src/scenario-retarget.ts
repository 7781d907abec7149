import type { Scenario } from './scenario.js';
import { CAPABILITY_WORDS, missingCapabilities, type NamedCluster } from './targets/target.js';
import { KdrillError } from './util/errors.js';

/**
 * Points drills at a cluster the user named instead of one kdrill makes —
 * refused, before anything runs, when the cluster is not kdrill's own and the
 * user did not repeat its context's name (two keys: a current-context that
 * happens to point at production is never hit by accident), when kdrill cannot
 * reach its nodes, or when a drill needs what such a cluster lacks.
 */
export async function onNamedCluster(scenarios: Scenario[], named: NamedCluster, targetContext: string | undefined): Promise<Scenario[]> {
  const where = `context ${named.context} (${named.server})`;
  if (targetContext !== undefined && targetContext !== named.context) {
    throw new KdrillError(`--target-context ${targetContext} is not the context the drills would run on: ${where}`, { hint: `it must repeat that context's name: --target-context ${named.context}` });
  }
  if (!named.ours && targetContext === undefined) {
    throw new KdrillError(`${where} is not a cluster kdrill created (it has no kdrill marker made on this machine; a name does not count): refusing to inject faults into it`, {
      hint: `if you mean it, name it twice: --context ${named.context} --target-context ${named.context}`,
    });
  }
  if (!named.kindName) {
    throw new KdrillError(`${where}: node${named.otherNodes.length === 1 ? '' : 's'} ${named.otherNodes.join(', ')} ${named.otherNodes.length === 1 ? 'is not a kind node container' : 'are not kind node containers'} on this host, and reaching nodes through a privileged pod is not built yet`, {
      hint: 'today kdrill runs drills on kind clusters on this host (its own, or one you name); `kdrill watch` reads any cluster',
    });
  }
  return scenarios.map((s) => {
    const on = s.target.on;
    if (!on) throw new KdrillError(`${s.id} runs on ${s.target.name}, which kdrill makes itself: it cannot run on ${where}`, { hint: 'run it without --kubeconfig/--context' });
    const target = on(named);
    const missing = missingCapabilities(s.needs, target.provides);
    if (missing.length) {
      throw new KdrillError(`${s.id} needs ${missing.map((c) => `${CAPABILITY_WORDS[c]} (${c})`).join(', ')}, which ${target.name} does not provide`, {
        hint: 'those come with the clusters kdrill creates (etcd on its own disk): run it without --kubeconfig/--context',
      });
    }
    return { ...s, target };
  });
}
