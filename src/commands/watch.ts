import type * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.js';
import { kubeClients, loadKubeConfig, type KubeClients } from '../cluster/kube.js';
import { listWatch } from '../cluster/list-watch.js';
import { ClusterWatch, formatWatchLine, type WatchLine } from '../watch/cluster-watch.js';
import { parseDuration } from '../util/duration.js';
import { KdrillError } from '../util/errors.js';
import { parseCommandArgs } from './args.js';
import { defaultKubeconfig } from '../targets/named-cluster.js';

/** What `watch` asks the API for: read-only, cluster-wide. */
export const WATCH_PERMISSIONS: { verb: string; resource: string }[] = ['get', 'list', 'watch'].flatMap((verb) => ['nodes', 'pods'].map((resource) => ({ verb, resource })));

const USAGE = `usage: kdrill watch [--kubeconfig F] [--context C | --cluster NAME] [-o text|json] [--for DURATION]

Streams what the postmortem's cron job looked for, the moment it happens:
nodes going NotReady (and Ready again) with the pods on them at that moment,
pods losing Ready, container restarts with their reason (OOMKilled, Error),
evictions, and restart storms in kube-system. One line per event; with
-o json (or --json) one JSON object per line: kind, at (the cluster's own
timestamp), seen, node, pod, pods, reason, message.

Read-only: it changes nothing and needs only get, list and watch on nodes and
pods, cluster-wide (checked at start). Any cluster: --kubeconfig and --context
as kubectl reads them (default $KUBECONFIG, else ~/.kube/config, and its current
context), or --cluster for a kdrill kind cluster. Runs until Ctrl-C, or for
--for DURATION (e.g. 10m).`;


/** The permissions `watch` needs that this identity lacks (SelfSubjectAccessReview). */
export async function missingWatchPermissions(clients: KubeClients): Promise<string[]> {
  const missing: string[] = [];
  for (const p of WATCH_PERMISSIONS) {
    const r = await clients.authorization.createSelfSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: p.verb, resource: p.resource } } } });
    if (!r.status?.allowed) missing.push(`${p.verb} ${p.resource}`);
  }
  return missing;
}

export async function run(argv: string[]): Promise<number> {
  const a = parseCommandArgs('watch', argv, USAGE, { kubeconfig: 'string', context: 'string', cluster: 'string', output: 'string', json: 'boolean', for: 'string' }, { positionals: false });
  if (a.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const o = a.values.output as string | undefined;
  if (o !== undefined && o !== 'json' && o !== 'text') a.usageError(`-o: expected json or text, got "${o}"`);
  const json = a.values.json === true || o === 'json';
  if (a.values.cluster && (a.values.kubeconfig || a.values.context)) a.usageError('--cluster names a kdrill cluster: give it, or --kubeconfig/--context, not both');
  let forMs: number | undefined;
  if (a.values.for !== undefined) {
    try {
      forMs = parseDuration(a.values.for as string, '--for');
    } catch (e) {
      a.usageError((e as Error).message);
    }
  }
  let kc: k8s.KubeConfig;
  if (a.values.cluster) kc = (await attachCluster(a.values.cluster as string)).kc;
  else kc = loadKubeConfig((a.values.kubeconfig as string | undefined) ?? defaultKubeconfig(), a.values.context as string | undefined);
  const clients = kubeClients(kc);
  const where = `${kc.getCurrentContext()} (${kc.getCurrentCluster()?.server ?? '?'})`;
  let missing: string[];
  try {
    missing = await missingWatchPermissions(clients);
  } catch (e) {
    throw new KdrillError(`watch: cannot reach the API server of ${where}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (missing.length) throw new KdrillError(`watch: ${where} does not let this identity ${missing.join(', ')}`, { hint: 'kdrill watch needs get, list and watch on nodes and pods, cluster-wide (a ClusterRole with those verbs, bound to you)' });

  const model = new ClusterWatch();
  const print = (lines: WatchLine[]): void => {
    for (const l of lines) process.stdout.write(`${json ? JSON.stringify(l) : formatWatchLine(l)}\n`);
  };
  const stopped = new AbortController();
  // pods first: a node line names the pods on it
  let initial = true;
  const stopPods = await listWatch<k8s.V1Pod>(kc, {
    path: '/api/v1/pods',
    list: () => clients.core.listPodForAllNamespaces(),
    onEvent: (type, p) => print(model.pod(p, Date.now(), { deleted: type === 'DELETED', initial })),
    abort: stopped.signal,
  });
  const stopNodes = await listWatch<k8s.V1Node>(kc, {
    path: '/api/v1/nodes',
    list: () => clients.core.listNode(),
    onEvent: (type, n) => print(model.node(n, Date.now(), { deleted: type === 'DELETED', initial })),
    abort: stopped.signal,
  });
  initial = false;
  // said once what exists has been seen: a line after this is news
  process.stderr.write(`kdrill watch: ${where}: watching${forMs !== undefined ? ` for ${a.values.for}` : ''} (Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    // \`on\`, not \`once\`: see image.ts (signal-exit re-raises a signal nobody else listens to)
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
    if (forMs !== undefined) setTimeout(done, forMs).unref();
  });
  stopped.abort();
  stopPods();
  stopNodes();
  return 0;
}
