import { clusterUp, deleteCluster } from '../cluster/cluster.js';
import { clusterName, listKdrillClusters } from '../cluster/kind.js';
import { leaseCluster, releaseLease } from '../cluster/lease.js';
import { smokeCheck } from '../cluster/smoke.js';
import { ensureDocker } from '../host/docker.js';
import { log } from '../util/log.js';
import { interruptProcess, interruptSignal } from '../util/exec.js';
import { parseCommandArgs } from './args.js';
import { parsePull } from './pull.js';

const USAGE = `usage: kdrill smoke [--name NAME] [--keep] [--pull auto|never|always]

Creates kind cluster kdrill-NAME (1 control plane + 1 worker; default name
smoke), proves that an echo Deployment serves through a Service to a client pod
that resolves it by DNS, answers come from replicas on both nodes, then deletes
the cluster if it created it (unless --keep). A cluster that already existed is
used as found and left; one a running drill holds is refused. Ctrl-C stops and
deletes what it created. Exit 0 when everything was proven, 1 otherwise.`;

export async function run(argv: string[]): Promise<number> {
  const a = parseCommandArgs('smoke', argv, USAGE, { name: 'string', keep: 'boolean', pull: 'string' }, { positionals: false });
  if (a.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const name = clusterName((a.values.name as string | undefined) ?? 'smoke');
  const pull = parsePull(a.values.pull, 'smoke');
  await ensureDocker();
  // the lease first: a cluster a drill holds is neither checked nor deleted under it
  leaseCluster(name, 'kdrill smoke');
  const onSignal = () => interruptProcess();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const existed = (await listKdrillClusters()).includes(name);
  try {
    const up = await clusterUp({ name, controlPlanes: 1, workers: 1, pull, signal: interruptSignal });
    const r = await log.step('smoke check: Deployment → Service → client pod (DNS)', () => smokeCheck(up.cluster));
    for (const l of r.lines) log.info(l);
    process.stdout.write(`${r.ok ? 'PASS' : 'FAIL'} smoke ${up.cluster.name} (cluster ${up.createSeconds.toFixed(0)}s, check ${r.seconds.toFixed(0)}s)\n`);
    return r.ok ? 0 : 1;
  } finally {
    if (!existed && !a.values.keep) await log.step(`delete cluster ${name}`, () => deleteCluster(name)).catch(() => undefined);
    else if (existed) log.info(`left ${name} as found (this smoke run did not create it)`);
    releaseLease(name);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
