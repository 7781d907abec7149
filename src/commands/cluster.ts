import { parseArgs } from 'node:util';
import { clusterUp, deleteCluster } from '../cluster/cluster.js';
import { clusterName, listKdrillClusters, nodeContainers } from '../cluster/kind.js';
import { describeLease, leaseHolder } from '../cluster/lease.js';
import { ensureDocker } from '../host/docker.js';
import { KdrillError } from '../util/errors.js';
import { log } from '../util/log.js';
import type { PullPolicy } from '../image/index.js';

const USAGE = `usage:
  kdrill cluster up [--name NAME] [--control-planes N] [--workers N] [--config kind.yaml] [--pull auto|never|always]
      create (or reuse) kind cluster kdrill-NAME and wait until it is Ready; prints the kubeconfig path last
  kdrill cluster down NAME... | --all [--force]
      delete kdrill clusters (only names starting with kdrill-); a cluster a running
      drill holds is left alone (named on stderr, exit 2) unless --force
  kdrill cluster list
      kdrill clusters on this Docker host`;

function count(v: string | undefined, field: string, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 9) throw new KdrillError(`${field}: expected a whole number 0-9, got "${v}"`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string', default: 'main' },
      'control-planes': { type: 'string' },
      workers: { type: 'string' },
      config: { type: 'string' },
      pull: { type: 'string', default: 'auto' },
      all: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [sub, ...rest] = positionals;
  if (values.help || !sub) {
    process.stdout.write(USAGE + '\n');
    return values.help ? 0 : 2;
  }
  await ensureDocker();
  switch (sub) {
    case 'up': {
      const controlPlanes = count(values['control-planes'], '--control-planes', 1);
      if (controlPlanes < 1) throw new KdrillError('--control-planes: a cluster needs at least 1');
      const r = await clusterUp({
        name: values.name!,
        controlPlanes,
        workers: count(values.workers, '--workers', 0),
        kindConfig: values.config,
        pull: values.pull as PullPolicy,
      });
      const mem = await r.cluster.memoryMiB();
      log.info(`cluster ${r.cluster.name} ${r.created ? 'created' : 'reused'} and Ready in ${r.createSeconds.toFixed(1)}s; node containers use ${mem.toFixed(0)} MiB`);
      process.stdout.write(`${r.cluster.kubeconfigPath}\n`);
      return 0;
    }
    case 'down': {
      const names = values.all ? await listKdrillClusters() : rest;
      if (!names.length && values.all) {
        log.info('no kdrill clusters to delete');
        return 0;
      }
      if (!names.length) throw new KdrillError('cluster down: name a cluster or pass --all');
      let skipped = 0;
      for (const n of names) {
        const full = clusterName(n);
        const holder = values.force ? undefined : leaseHolder(full);
        if (holder) {
          skipped++;
          log.info(`left ${full}: a running drill holds it, ${describeLease(holder)} (--force to delete it anyway)`);
          continue;
        }
        await log.step(`delete cluster ${n}`, () => deleteCluster(n));
      }
      return skipped ? 2 : 0;
    }
    case 'list': {
      for (const c of await listKdrillClusters()) {
        const nodes = await nodeContainers(c);
        const roles = nodes.reduce<Record<string, number>>((m, n) => ({ ...m, [n.role]: (m[n.role] ?? 0) + 1 }), {});
        process.stdout.write(`${c}\t${Object.entries(roles).map(([r, k]) => `${k} ${r}`).join(', ')}\n`);
      }
      return 0;
    }
    default:
      throw new KdrillError(`unknown cluster subcommand "${sub}"\n${USAGE}`);
  }
}
