import { clusterUp, deleteCluster } from '../cluster/cluster.js';
import { clusterName, listKdrillClusters, nodeContainers } from '../cluster/kind.js';
import { countRoles, readKindConfig } from '../cluster/kind-config.js';
import { describeLease, leaseCluster, leaseHolder, releaseLease } from '../cluster/lease.js';
import { ensureDocker } from '../host/docker.js';
import { KdrillError } from '../util/errors.js';
import { log } from '../util/log.js';
import { interruptProcess, interruptSignal } from '../util/exec.js';
import { parseCommandArgs } from './args.js';
import { parsePull } from './pull.js';

const USAGE = `usage: kdrill cluster up|down|list ...
  kdrill cluster up [--name NAME] [--control-planes N] [--workers N] [--config kind.yaml] [--pull auto|never|always]
      create (or reuse) kind cluster kdrill-NAME and wait until it is Ready; prints the kubeconfig path last
  kdrill cluster down NAME... | --all [--force]
      delete kdrill clusters (only names starting with kdrill-); a cluster a running
      drill holds is left alone (named on stderr, exit 2) unless --force
  kdrill cluster list [-o json]
      kdrill clusters on this Docker host`;

/** A node count: digits only (no "0x3", "1e1", " 2"), 0-9. */
export function nodeCount(v: string | boolean | undefined, flag: string, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'string' || !/^[0-9]$/.test(v)) throw new KdrillError(`cluster: ${flag}: expected a whole number 0-9, got "${v}"`, { hint: `e.g. ${flag} 2` });
  return Number(v);
}

export async function run(argv: string[]): Promise<number> {
  const a = parseCommandArgs('cluster', argv, USAGE, {
    name: 'string',
    'control-planes': 'string',
    workers: 'string',
    config: 'string',
    pull: 'string',
    all: 'boolean',
    force: 'boolean',
    output: 'string',
  });
  const [sub, ...rest] = a.positionals;
  if (a.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (!sub) a.usageError('name a subcommand: up, down or list');
  // every argument is checked before anything is asked of docker or kind
  const only = (allowed: string[]) => {
    for (const k of Object.keys(a.values)) if (k !== 'help' && a.values[k] !== undefined && !allowed.includes(k)) a.usageError(`${sub}: --${k} does not apply`);
  };
  switch (sub) {
    case 'up': {
      only(['name', 'control-planes', 'workers', 'config', 'pull']);
      if (rest.length) a.usageError(`up: unexpected argument "${rest[0]}" (the name goes in --name)`);
      const name = clusterName((a.values.name as string | undefined) ?? 'main');
      const controlPlanes = nodeCount(a.values['control-planes'], '--control-planes', 1);
      if (controlPlanes < 1) a.usageError('--control-planes: a cluster needs at least 1');
      const workers = nodeCount(a.values.workers, '--workers', 0);
      const pull = parsePull(a.values.pull, 'cluster');
      const config = a.values.config as string | undefined;
      if (config) {
        // a malformed config names its field now, not after the image build
        const roles = countRoles(readKindConfig(config));
        if (roles.controlPlanes + roles.workers > 0 && roles.controlPlanes < 1) throw new KdrillError(`kind config ${config}: field "nodes" has no control-plane node`, { hint: 'a cluster needs at least one node with role: control-plane' });
      }
      await ensureDocker();
      const onSignal = () => interruptProcess();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const r = await clusterUp({ name, controlPlanes, workers, kindConfig: config, pull, signal: interruptSignal });
        const mem = await r.cluster.memoryMiB();
        log.info(`cluster ${r.cluster.name} ${r.created ? 'created' : 'reused'} and Ready in ${r.createSeconds.toFixed(1)}s; node containers use ${mem.toFixed(0)} MiB`);
        process.stdout.write(`${r.cluster.kubeconfigPath}\n`);
        return 0;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    }
    case 'down': {
      only(['all', 'force']);
      if (a.values.all && rest.length) a.usageError('down: name clusters or pass --all, not both');
      if (!a.values.all && !rest.length) a.usageError('down: name a cluster or pass --all');
      const wanted = rest.map((n) => clusterName(n));
      await ensureDocker();
      const existing = await listKdrillClusters();
      const unknown = wanted.filter((n) => !existing.includes(n));
      if (unknown.length) throw new KdrillError(`cluster down: no kdrill cluster named ${unknown.join(', ')}`, { hint: `kdrill cluster list shows ${existing.length ? existing.join(', ') : 'none'}` });
      const names = a.values.all ? existing : wanted;
      if (!names.length) {
        log.info('no kdrill clusters to delete');
        return 0;
      }
      let skipped = 0;
      for (const full of names) {
        const holder = a.values.force ? undefined : leaseHolder(full);
        if (holder) {
          skipped++;
          log.info(`left ${full}: a running drill holds it, ${describeLease(holder)} (--force to delete it anyway)`);
          continue;
        }
        if (!a.values.force) leaseCluster(full, 'kdrill cluster down');
        try {
          await log.step(`delete cluster ${full}`, () => deleteCluster(full));
        } finally {
          releaseLease(full);
        }
      }
      return skipped ? 2 : 0;
    }
    case 'list': {
      only(['output']);
      if (rest.length) a.usageError(`list: unexpected argument "${rest[0]}"`);
      const o = a.values.output;
      if (o !== undefined && o !== 'json' && o !== 'text') a.usageError(`-o: expected json or text, got "${o}"`);
      await ensureDocker();
      const rows = [];
      for (const c of await listKdrillClusters()) {
        const nodes = await nodeContainers(c);
        const roles = nodes.reduce<Record<string, number>>((m, n) => ({ ...m, [n.role]: (m[n.role] ?? 0) + 1 }), {});
        const lease = leaseHolder(c);
        rows.push({ name: c, nodes: roles, heldBy: lease ? { pid: lease.pid, purpose: lease.purpose, since: lease.since } : null });
      }
      if (o === 'json') process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else for (const r of rows) process.stdout.write(`${r.name}\t${Object.entries(r.nodes).map(([k, v]) => `${v} ${k}`).join(', ')}${r.heldBy ? `\theld by pid ${r.heldBy.pid}` : ''}\n`);
      return 0;
    }
    default:
      return a.usageError(`unknown subcommand "${sub}" (up, down or list)`);
  }
}
