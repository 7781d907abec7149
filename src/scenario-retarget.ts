import type { Scenario } from './scenario.js';
import { CAPABILITY_WORDS, missingCapabilities, type NamedCluster, type NodeAccessChoice, type TargetProvider } from './targets/target.js';
import { KdrillError } from './util/errors.js';

/**
 * Points drills at a cluster the user named instead of one kdrill makes —
 * refused, before anything runs, when the cluster is not kdrill's own and the
 * user did not repeat its context's name (two keys: a current-context that
 * happens to point at production is never hit by accident), when kdrill cannot
 * reach its nodes, or when a drill needs what such a cluster lacks.
 */
export async function onNamedCluster(scenarios: Scenario[], named: NamedCluster, targetContext: string | undefined, access?: NodeAccessChoice): Promise<Scenario[]> {
  const where = `context ${named.context} (${named.server})`;
  if (targetContext !== undefined && targetContext !== named.context) {
    throw new KdrillError(`--target-context ${targetContext} is not the context the drills would run on: ${where}`, { hint: `it must repeat that context's name: --target-context ${named.context}` });
  }
  if (!named.ours && targetContext === undefined) {
    throw new KdrillError(`${where} is not a cluster kdrill created (it has no kdrill marker made on this machine; a name does not count): refusing to inject faults into it`, {
      hint: `if you mean it, name it twice: --context ${named.context} --target-context ${named.context}`,
    });
  }
  return scenarios.map((s) => {
    const on = s.target.on;
    if (!on) throw new KdrillError(`${s.id} runs on ${s.target.name}, which kdrill makes itself: it cannot run on ${where}`, { hint: 'run it without --kubeconfig/--context' });
    const target = on(named, access);
    refuseMissing(s, target, named.kindName && access?.via !== 'pod' ? 'those come with the clusters kdrill creates (etcd on its own disk): run it without --kubeconfig/--context' : PODS_LACK);
    return { ...s, target };
  });
}

const PODS_LACK = 'through a privileged pod kdrill reaches a node only while the API server is up, and not its container on this host: drills that stop the API server or cap a node container need a kind cluster on this host, reached through docker';

function refuseMissing(s: Scenario, target: TargetProvider, hint: string): void {
  const missing = missingCapabilities(s.needs, target.provides);
  if (missing.length) throw new KdrillError(`${s.id} needs ${missing.map((c) => `${CAPABILITY_WORDS[c]} (${c})`).join(', ')}, which ${target.name} does not provide`, { hint });
}

/**
 * `kdrill run --node-access pod`: the drills' own clusters, their nodes
 * reached through privileged pods instead of docker exec — the path a cluster
 * that is not kind on this host takes, tried where it can be checked. Refused
 * before anything runs for a drill that needs what pods cannot give.
 */
export function throughPods(scenarios: Scenario[], image: string | undefined): Scenario[] {
  return scenarios.map((s) => {
    const via = s.target.viaPods;
    if (!via) throw new KdrillError(`${s.id} runs on ${s.target.name}, which has no nodes to reach through pods`, { hint: 'run it without --node-access' });
    const target = via(image);
    refuseMissing(s, target, PODS_LACK);
    return { ...s, target };
  });
}
