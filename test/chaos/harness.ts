import { execa, type ResultPromise } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ChaosCase, KillPhase } from './cases.js';
import { readWriteIops } from '../../src/changes/write-iops.js';
import { canonicalObject } from '../../src/changes/kube-object.js';
import { readMemoryLimit } from '../../src/changes/memory-limit.js';
import { MEMORY_FILES } from '../../src/host/cgroups.js';
import { containersWithLabel, inspectContainer, networksWithLabel, RUN_LABEL } from '../../src/util/container.js';
import { attachCluster } from '../../src/cluster/cluster.js';
import { clusterName, listKdrillClusters, nodeContainers } from '../../src/cluster/kind.js';
import { clusterFilesLeft } from '../../src/cluster/cluster.js';
import { dockerNode } from '../../src/targets/docker-node.js';
import type { EtcdContainersTarget } from '../../src/targets/etcd-containers.js';

const CLI = 'dist/src/cli.js';

export interface KillResult {
  case: string;
  target: KillPhase;
  /** the phase the run was really in when killed (from its record), or 'missed' when it ended first */
  killedIn: string;
  delayMs: number;
  restored: boolean;
  diffs: string[];
  clean: string;
  ms: number;
}

interface Seen {
  runId?: string;
  phases: string[];
  fault: boolean;
  journalEntries: number;
  ended: boolean;
}

/** What a run's record (and journal) say so far: its phases, whether the fault was reported, how many records it journaled. */
function look(state: string, since: number, drill: string): Seen {
  const seen: Seen = { phases: [], fault: false, journalEntries: 0, ended: false };
  const runs = join(state, 'runs');
  if (!existsSync(runs)) return seen;
  const file = readdirSync(runs)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => join(runs, f))
    .filter((f) => statSync(f).mtimeMs >= since - 1000 && readFileSync(f, 'utf8').includes(`"id":"${drill}`))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!file) return seen;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as { e: string; phase?: string; runId?: string };
      if (e.e === 'run') seen.runId = e.runId;
      if (e.e === 'phase') seen.phases.push(e.phase!);
      if (e.e === 'fault') seen.fault = true;
      if (e.e === 'end') seen.ended = true;
    } catch {
      /* a line being written */
    }
  }
  if (seen.runId) {
    const j = join(state, 'journal', `${seen.runId}.json`);
    try {
      seen.journalEntries = (JSON.parse(readFileSync(j, 'utf8')) as { entries: unknown[] }).entries.length;
    } catch {
      /* not yet, or being renamed into place */
    }
  }
  return seen;
}

/** The phase a run is in, by its record: the verify part of inject is after its first change is journaled and before the fault is reported. */
function phaseOf(s: Seen): string {
  const last = s.phases[s.phases.length - 1] ?? 'provision';
  if (last === 'inject') return s.fault ? 'inject (verified)' : s.journalEntries > 0 ? 'verify' : 'inject';
  return last;
}

/** When to pull the trigger for `target`, and how long after (seeded). */
function trigger(target: KillPhase, s: Seen, rand: () => number, tier: ChaosCase['tier']): number | undefined {
  const has = (p: string) => s.phases.includes(p);
  switch (target) {
    case 'provision':
      return has('provision') ? rand() * (tier === 'kind' ? 25_000 : 4000) : undefined;
    case 'inject':
      return has('inject') ? rand() * 300 : undefined;
    case 'verify':
      return has('inject') && s.journalEntries > 0 ? rand() * 1500 : undefined;
    case 'observe':
      return has('observe') ? rand() * 5000 : undefined;
    case 'revert':
      return has('revert') ? rand() * 300 : undefined;
  }
}

/**
 * Starts `child`, kills it with SIGKILL at a seeded instant of `target`'s
 * phase (as its run record tells), and says where it really was.
 */
export async function killDuring(child: () => ResultPromise, state: string, drill: string, target: KillPhase, rand: () => number, tier: ChaosCase['tier']): Promise<{ killedIn: string; delayMs: number; runId?: string }> {
  const since = Date.now();
  const p = child();
  let exited = false;
  void p.then(
    () => (exited = true),
    () => (exited = true),
  );
  let delay: number | undefined;
  for (;;) {
    if (exited) return { killedIn: 'missed', delayMs: 0, runId: look(state, since, drill).runId };
    const s = look(state, since, drill);
    delay = trigger(target, s, rand, tier);
    if (delay !== undefined) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, delay));
  const s = look(state, since, drill);
  if (exited || s.ended) return { killedIn: 'missed', delayMs: delay, runId: s.runId };
  p.kill('SIGKILL');
  await p.catch(() => undefined);
  return { killedIn: phaseOf(look(state, since, drill)), delayMs: Math.round(delay), runId: s.runId };
}

export async function clean(state: string): Promise<{ code: number | undefined; out: string }> {
  const r = await execa('node', [CLI, 'clean'], { env: { KDRILL_STATE: state, CI: '1' }, reject: false, all: true });
  return { code: r.exitCode, out: r.all };
}

/** The shared etcd members as a kill must leave them: no throttle, on their network with their aliases, running, not paused. */
export async function containersState(target: EtcdContainersTarget): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const m of target.etcd.members) {
    const c = m.container!;
    const st = await inspectContainer(c.name);
    let limit: string;
    try {
      limit = String(await readWriteIops(await m.ioCgroup(), await m.dataDevice()));
    } catch (e) {
      limit = `unreadable (${(e as Error).message})`;
    }
    out[`${c.name} running`] = String(st.running);
    out[`${c.name} paused`] = String(st.paused);
    out[`${c.name} networks`] = (st.networks ?? []).sort().join(',');
    out[`${c.name} write iops limit`] = limit;
  }
  return out;
}

/** What a run that made its own containers left: nothing, with its label. */
export async function ownContainersLeft(runId: string | undefined): Promise<Record<string, string>> {
  if (!runId) return {};
  return { containers: (await containersWithLabel(`${RUN_LABEL}=${runId}`)).join(','), networks: (await networksWithLabel(`${RUN_LABEL}=${runId}`)).join(',') };
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex').slice(0, 16);

/**
 * A kind cluster's state, as far as kdrill's faults touch it: every node's
 * /etc/cni/net.d file by file (content, mode, owner), its CNI IPAM networks and
 * kdrill links; every control plane's static pod manifests; the kube-proxy
 * ConfigMap and DaemonSet, the replicaset controller's ClusterRole, kube-system's
 * DaemonSets and kdrill's namespaces (objects by content, not resourceVersion).
 */
export async function kindState(cluster: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const full = clusterName(cluster);
  if (!(await listKdrillClusters()).includes(full)) return { cluster: 'absent' };
  for (const n of await nodeContainers(full)) {
    if (n.role !== 'control-plane' && n.role !== 'worker') continue;
    const node = dockerNode({ via: 'docker', cluster: full, node: n.name, container: n.name });
    const short = n.name.replace(`${full}-`, '');
    const ls = await node.exec(['sh', '-c', 'cd /etc/cni/net.d && for f in $(ls -A); do echo "$f $(stat -c "%a %u %g" "$f") $(sha256sum "$f" | cut -c1-16)"; done']);
    out[`${short} /etc/cni/net.d`] = ls.stdout.trim();
    out[`${short} /var/lib/cni/networks`] = (await node.list('/var/lib/cni/networks')).join(',');
    out[`${short} kdrill links`] = (await node.exec(['sh', '-c', "ip -o link show | awk -F': ' '{print $2}' | grep '^kdrill-' || true"])).stdout.trim();
    const cg = await node.hostCgroup!('memory');
    out[`${short} memory cap`] = String((await readMemoryLimit(`${cg.dir}/${MEMORY_FILES[cg.version].limit}`)) ?? 'none');
    out[`${short} kubelet`] = `${(await node.exec(['systemctl', 'is-active', 'kubelet'])).stdout.trim()} ${(await node.exec(['sh', '-c', 'sha256sum /var/lib/kubelet/config.yaml | cut -c1-16'])).stdout.trim()}`;
    if (n.role === 'control-plane') {
      const m = await node.exec(['sh', '-c', 'cd /etc/kubernetes/manifests && for f in $(ls -A); do echo "$f $(stat -c "%a" "$f") $(sha256sum "$f" | cut -c1-16)"; done; ls /etc/kubernetes/kdrill-parked 2>/dev/null || true']);
      out[`${short} manifests`] = m.stdout.trim();
    }
  }
  const c = await attachCluster(full);
  const obj = async (key: string, read: () => Promise<object>) => {
    try {
      out[key] = sha(JSON.stringify(canonicalObject((await read()) as Record<string, unknown>)));
    } catch (e) {
      out[key] = `unreadable: ${(e as { code?: number }).code ?? (e as Error).message}`;
    }
  };
  const { core, apps, rbac } = c.clients;
  await obj('ConfigMap kube-system/kube-proxy', () => core.readNamespacedConfigMap({ name: 'kube-proxy', namespace: 'kube-system' }));
  await obj('DaemonSet kube-system/kube-proxy', async () => {
    const d = await apps.readNamespacedDaemonSet({ name: 'kube-proxy', namespace: 'kube-system' });
    delete d.metadata?.annotations?.['deprecated.daemonset.template.generation'];
    return d;
  });
  await obj('ClusterRole system:controller:replicaset-controller', () => rbac.readClusterRole({ name: 'system:controller:replicaset-controller' }));
  out['kube-system DaemonSets'] = (await apps.listNamespacedDaemonSet({ namespace: 'kube-system' })).items.map((d) => d.metadata?.name).sort().join(',');
  // a leaking pod must not outlive the run: not even in a namespace being deleted
  out['leak pods'] = (await core.listPodForAllNamespaces({ labelSelector: 'app=leak' })).items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).join(',');
  out['kdrill namespaces (not terminating)'] = (await core.listNamespace()).items
    .filter((n) => n.metadata?.name?.startsWith('kdrill-') && !n.metadata.deletionTimestamp)
    .map((n) => n.metadata!.name)
    .join(',');
  return out;
}

/** What a run that created its cluster leaves of it after `kdrill clean`: nothing (containers, disks, kubeconfig, kind configs). */
export async function createdClusterLeft(cluster: string): Promise<Record<string, string>> {
  const full = clusterName(cluster);
  return { cluster: (await listKdrillClusters()).includes(full) ? 'present' : 'absent', files: clusterFilesLeft(full).join(',') };
}

export function diff(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.filter((k) => before[k] !== after[k]).map((k) => `${k}: was ${JSON.stringify(before[k])}, is ${JSON.stringify(after[k])}`);
}

