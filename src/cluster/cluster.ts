import * as k8s from '@kubernetes/client-node';
import { execa, type Options as ExecaOptions } from 'execa';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { destroyLoopDisk, etcdDisksOf } from './loop-disk.js';
import { dirname, join } from 'node:path';
import { hostLacksSysResource } from '../host/capabilities.js';
import { ensureDocker } from '../host/docker.js';
import { resolveNodeImage, ensureAgentImage, type NodeImageChoice, type PullPolicy } from '../image/index.js';
import { KdrillError } from '../util/errors.js';
import { log } from '../util/log.js';
import { stateDir } from '../util/paths.js';
import { clusterName, kind, listKdrillClusters, nodeContainers, CLUSTER_PREFIX, type NodeContainer } from './kind.js';
import { countRoles, readKindConfig, renderKindConfig } from './kind-config.js';
import { kubeClients, loadKubeConfig, type KubeClients } from './kube.js';
import { isNodeReady, isPodReady, waitFor } from './wait.js';
import { forgetMarkers, writeMarker } from './marker.js';

/** A kind cluster kdrill owns: its kubeconfig, API clients, and its node containers. */
export class KindCluster {
  private _clients?: KubeClients;
  constructor(
    readonly name: string,
    readonly kubeconfigPath: string,
    /** the kubeconfig's context for this cluster (a user's kubeconfig); default: its current context */
    readonly context?: string,
  ) {}

  get kc(): k8s.KubeConfig {
    return this.clients.kc;
  }

  get clients(): KubeClients {
    this._clients ??= kubeClients(loadKubeConfig(this.kubeconfigPath, this.context));
    return this._clients;
  }

  nodes(): Promise<NodeContainer[]> {
    return nodeContainers(this.name);
  }

  async node(role: 'control-plane' | 'worker', index = 0): Promise<string> {
    const n = (await this.nodes()).filter((c) => c.role === role)[index];
    if (!n) throw new KdrillError(`cluster ${this.name} has no ${role} node #${index}`);
    return n.name;
  }

  /** Runs a command inside a node container (docker exec), e.g. crictl-free inspection of /etc/cni/net.d. */
  exec(node: string, args: string[], opts: ExecaOptions = {}) {
    return execa('docker', ['exec', ...(opts.input !== undefined ? ['-i'] : []), node, ...args], opts);
  }

  /** Loads a local Docker image into every node's containerd (kind load docker-image). */
  async loadImage(ref: string): Promise<void> {
    await kind(['load', 'docker-image', '--name', this.name, ref]);
  }

  /**
   * Ready means: the expected number of nodes, all Ready; every kube-system pod
   * Running and Ready; the default ServiceAccount exists (pods can be created).
   * Watched, with a deadline.
   */
  async waitReady(expectedNodes: number, timeoutMs = 10 * 60_000, signal?: AbortSignal): Promise<void> {
    const { core } = this.clients;
    const deadline = Date.now() + timeoutMs;
    const left = () => Math.max(1000, deadline - Date.now());
    await waitFor<k8s.V1Node>(this.kc, {
      what: `${expectedNodes} nodes Ready`,
      path: '/api/v1/nodes',
      list: () => core.listNode(),
      done: (ns) => ns.length >= expectedNodes && ns.every(isNodeReady),
      describe: (ns) => ns.map((n) => `${n.metadata?.name}=${isNodeReady(n) ? 'Ready' : 'NotReady'}`).join(', ') || 'no nodes',
      timeoutMs: left(),
      signal,
    });
    await waitFor<k8s.V1Pod>(this.kc, {
      what: 'every kube-system pod Ready',
      path: '/api/v1/namespaces/kube-system/pods',
      list: () => core.listNamespacedPod({ namespace: 'kube-system' }),
      done: (ps) => ps.some((p) => p.metadata?.name?.startsWith('coredns')) && ps.filter((p) => p.status?.phase !== 'Succeeded').every(isPodReady),
      describe: (ps) =>
        ps.filter((p) => !isPodReady(p)).map((p) => `${p.metadata?.name}=${p.status?.phase}${waitingReason(p)}`).join(', ') || `${ps.length} pods`,
      timeoutMs: left(),
      signal,
    });
    await waitFor<k8s.V1ServiceAccount>(this.kc, {
      what: 'the default ServiceAccount',
      path: '/api/v1/namespaces/default/serviceaccounts',
      list: () => core.listNamespacedServiceAccount({ namespace: 'default' }),
      done: (sas) => sas.some((s) => s.metadata?.name === 'default'),
      timeoutMs: left(),
      signal,
    });
  }

  /** Resident memory of the node containers, from docker stats (MiB). */
  async memoryMiB(): Promise<number> {
    const names = (await this.nodes()).map((n) => n.name);
    if (!names.length) return 0;
    const r = await execa('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', ...names]);
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .reduce((sum, l) => sum + toMiB(l.split('/')[0]!.trim()), 0);
  }

  async delete(): Promise<void> {
    await deleteCluster(this.name);
  }
}

function waitingReason(p: k8s.V1Pod): string {
  const w = (p.status?.containerStatuses ?? []).map((c) => c.state?.waiting?.reason).filter(Boolean);
  return w.length ? `(${w.join(',')})` : '';
}

function toMiB(s: string): number {
  const m = /^([\d.]+)\s*([KMGT]?i?B)$/.exec(s);
  if (!m) return 0;
  const f: Record<string, number> = { B: 1 / 2 ** 20, KiB: 1 / 1024, MiB: 1, GiB: 1024, TiB: 2 ** 20, kB: 1 / 1024, MB: 1, GB: 1024 };
  return parseFloat(m[1]!) * (f[m[2]!] ?? 1);
}

function kubeconfigPath(name: string): string {
  return join(stateDir(), 'kubeconfig', `${name}.yaml`);
}

/** Where kdrill keeps a cluster's kind config: the one clusterUp hands to kind, or a pool shape's (its input). */
export function kindConfigPath(name: string, which: 'cluster' | 'shape'): string {
  return join(stateDir(), 'kind-config', which === 'shape' ? `${name}.shape.yaml` : `${name}.yaml`);
}

/** The directory kubeconfigs live in: owner-only, whoever creates it first (kind creates it with its own mode). */
export function kubeconfigDir(): string {
  const dir = join(stateDir(), 'kubeconfig');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

async function writeKubeconfig(name: string): Promise<string> {
  kubeconfigDir();
  const path = kubeconfigPath(name);
  const cfg = await kind(['get', 'kubeconfig', '--name', name]);
  writeFileSync(path, cfg, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

export interface UpOptions {
  name: string;
  controlPlanes?: number;
  workers?: number;
  /** A kind config file (a scenario's: extraMounts, patches). Its nodes win over the counts. */
  kindConfig?: string;
  pull?: PullPolicy;
  image?: NodeImageChoice;
  waitTimeoutMs?: number;
  /** Ctrl-C: stops the image build, `kind create` and the Ready wait; a cluster this call created is deleted. */
  signal?: AbortSignal;
}

export interface UpResult {
  cluster: KindCluster;
  created: boolean;
  image: NodeImageChoice;
  createSeconds: number;
}

/**
 * Creates (or reuses, when it exists with the same shape) a kdrill kind
 * cluster, loads kdrill's workload image into it and waits until it is Ready.
 */
export async function clusterUp(opts: UpOptions): Promise<UpResult> {
  await ensureDocker();
  const name = clusterName(opts.name);
  const base = opts.kindConfig ? readKindConfig(opts.kindConfig) : undefined;
  const { config, yaml } = renderKindConfig({
    name,
    controlPlanes: opts.controlPlanes ?? 1,
    workers: opts.workers ?? 0,
    base,
    restrictOomScoreAdj: hostLacksSysResource(),
  });
  const want = countRoles(config);
  const expectedNodes = want.controlPlanes + want.workers;
  const image = opts.image ?? (await resolveNodeImage(opts.pull ?? 'auto'));
  log.info(`node image: ${image.ref} (${image.reason})`);
  const agent = await log.step('kdrill agent image', ensureAgentImage);
  const interrupted = () => new KdrillError(`interrupted: cluster ${name} not created`);
  if (opts.signal?.aborted) throw interrupted();

  const started = Date.now();
  let created = false;
  if ((await listKdrillClusters()).includes(name)) {
    const have = await nodeContainers(name);
    const cp = have.filter((n) => n.role === 'control-plane').length;
    const wk = have.filter((n) => n.role === 'worker').length;
    if (cp !== want.controlPlanes || wk !== want.workers) {
      throw new KdrillError(
        `cluster ${name} exists with ${cp} control plane(s) and ${wk} worker(s), not ${want.controlPlanes}+${want.workers}`,
        { hint: `delete it first (kdrill cluster down ${name}) or pick another --name` },
      );
    }
    log.info(`reusing existing cluster ${name} (${cp}+${wk})`);
  } else {
    const cfgPath = kindConfigPath(name, 'cluster');
    mkdirSync(dirname(cfgPath), { recursive: true, mode: 0o700 });
    writeFileSync(cfgPath, yaml, { mode: 0o600 });
    kubeconfigDir();
    created = true;
    await log.step(`kind create cluster ${name} (${want.controlPlanes} control plane(s), ${want.workers} worker(s))`, async () => {
      try {
        await kind(['create', 'cluster', '--name', name, '--image', image.ref, '--config', cfgPath, '--kubeconfig', kubeconfigPath(name), '--retain'], {
          timeoutMs: 20 * 60_000,
          signal: opts.signal,
        });
      } catch (e) {
        if (opts.signal?.aborted) {
          await deleteCluster(name).catch(() => undefined);
          throw interrupted();
        }
        // --retain keeps failed nodes for inspection just long enough to grab their logs; then remove them
        const logs = join(stateDir(), 'failed-clusters', `${name}-${Date.now()}`);
        await kind(['export', 'logs', logs, '--name', name]).catch(() => undefined);
        await deleteCluster(name).catch(() => undefined);
        throw new KdrillError(`${(e as Error).message}`, { hint: `node logs exported to ${logs}` });
      }
    });
  }
  try {
    const cluster = new KindCluster(name, await writeKubeconfig(name));
    await log.step(`load ${agent} into ${name}`, () => cluster.loadImage(agent));
    await log.step(`wait for ${expectedNodes} node(s) and kube-system Ready`, () => cluster.waitReady(expectedNodes, opts.waitTimeoutMs, opts.signal));
    // how a later `kdrill run --kubeconfig/--context` knows this cluster is kdrill's own (not by its name)
    // (a cluster without one still works for everything else: it is then not recognised as kdrill's when named)
    if (created) await writeMarker(cluster.clients, name).catch((e: Error) => log.warn(`cluster ${name}: kdrill marker not written: ${e.message.split('\n')[0]}`));
    return { cluster, created, image, createSeconds: (Date.now() - started) / 1000 };
  } catch (e) {
    if (created && opts.signal?.aborted) {
      await deleteCluster(name).catch(() => undefined);
      throw interrupted();
    }
    throw e;
  }
}

/** An existing kdrill cluster by name (for drills that reuse one). */
export async function attachCluster(name: string): Promise<KindCluster> {
  const full = clusterName(name);
  if (!(await listKdrillClusters()).includes(full)) throw new KdrillError(`no kdrill cluster named ${full}`, { hint: 'kdrill cluster list' });
  return new KindCluster(full, await writeKubeconfig(full));
}

/** Deletes a kdrill cluster (only names with the kdrill- prefix), the files kdrill kept for it and its etcd disks. Idempotent. */
export async function deleteCluster(name: string): Promise<void> {
  const full = clusterName(name);
  if (!full.startsWith(CLUSTER_PREFIX)) throw new KdrillError(`refusing to delete ${full}: not a kdrill cluster`);
  await kind(['delete', 'cluster', '--name', full]);
  for (const f of clusterConfigFiles(full)) rmSync(f, { force: true });
  for (const d of etcdDisksOf(full)) await destroyLoopDisk(d.file, d.mountpoint);
  forgetMarkers(full);
}

/** The files kdrill keeps for a cluster: its kubeconfig and kind configs (clusterUp's and a pool shape's). */
function clusterConfigFiles(full: string): string[] {
  return [kubeconfigPath(full), kindConfigPath(full, 'cluster'), kindConfigPath(full, 'shape')];
}

/** What of a cluster is still on this host's disk (after deleteCluster: nothing): config files and etcd loop disks. */
export function clusterFilesLeft(name: string): string[] {
  const full = clusterName(name);
  return [...clusterConfigFiles(full), ...etcdDisksOf(full).flatMap((d) => [d.file, d.mountpoint])].filter((f) => existsSync(f));
}
