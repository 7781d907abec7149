import { parseArgs } from 'node:util';
import { clusterUp, deleteCluster } from '../cluster/cluster.js';
import { smokeCheck } from '../cluster/smoke.js';
import { log } from '../util/log.js';
import type { PullPolicy } from '../image/index.js';

const USAGE = `usage: kdrill smoke [--name NAME] [--keep] [--pull auto|never|always]

Creates kind cluster kdrill-NAME (1 control plane + 1 worker), proves that an
echo Deployment serves through a Service to a client pod that resolves it by
DNS, answers come from replicas on both nodes, then deletes the cluster
(unless --keep). Exit 0 when everything was proven, 1 otherwise.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string', default: 'smoke' },
      keep: { type: 'boolean', default: false },
      pull: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const up = await clusterUp({ name: values.name!, controlPlanes: 1, workers: 1, pull: values.pull as PullPolicy });
  try {
    const r = await log.step('smoke check: Deployment → Service → client pod (DNS)', () => smokeCheck(up.cluster));
    for (const l of r.lines) log.info(l);
    process.stdout.write(`${r.ok ? 'PASS' : 'FAIL'} smoke ${up.cluster.name} (cluster ${up.createSeconds.toFixed(0)}s, check ${r.seconds.toFixed(0)}s)\n`);
    return r.ok ? 0 : 1;
  } finally {
    if (!values.keep) await log.step(`delete cluster ${up.cluster.name}`, () => deleteCluster(up.cluster.name));
  }
}
