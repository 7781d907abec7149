import { execa } from 'execa';
import { Etcd3 } from 'etcd3';
import YAML from 'yaml';
import type { EtcdMember, EtcdTarget } from './etcd-target.js';
import type { ProvisionContext, TargetProvider } from './target.js';
import type * as k8s from '@kubernetes/client-node';
import type { KindCluster } from '../cluster/cluster.js';
import { waitFor } from '../cluster/wait.js';
import { acquireCluster, nodeIp, type ClusterShape } from './kind-pool.js';
import { blkioDir, processesInContainer } from '../cluster/host-procs.js';
import { followPodLogs } from '../cluster/node-logs.js';
import { readNodeFile, writeNodeFile } from '../cluster/node-files.js';
import { KdrillError } from '../util/errors.js';
import { measureHistogram } from '../signals/histogram-poll.js';
import { WAL_FSYNC } from '../faults/throttle-disk.js';
import type { JournalEntry } from '../journal.js';
import { SLOWFS_CONTROL, slowFsStats } from '../cluster/slowfs.js';
import { etcdExecLivenessProbe, runExecProbe, type ExecProbe } from './etcd-probes.js';

export const ETCD_MANIFEST = '/etc/kubernetes/manifests/etcd.yaml';

/**
 * A real kind cluster as a drill target. It is an etcd target (each control
 * plane's etcd static pod is a member: the helpers' etcd signals and faults
 * work on it unchanged) with the Kubernetes cluster around it.
 */
export interface KindTarget extends EtcdTarget {
  cluster: KindCluster;
  shape: ClusterShape;
  /** Node container name -> its full docker id and IP. */
  nodes: Map<string, { id: string; ip: string; role: string }>;
}

export function isKindTarget(t: unknown): t is KindTarget {
  return typeof t === 'object' && t !== null && 'cluster' in t && 'shape' in t;
}

export interface KindTargetOptions {
  /**
   * Rewrites every control plane's etcd static pod (parsed YAML) at
   * provisioning, e.g. the 2018 kubeadm liveness probe. The original is
   * journaled first and restored when the drill ends.
   */
  etcdPod?: (pod: Record<string, unknown>) => void;
  /** What etcdPod does, for the report. */
  etcdPodChange?: string;
}

async function containerId(name: string): Promise<string> {
  return (await execa('docker', ['inspect', '--format', '{{.Id}}', name])).stdout.trim();
}

async function etcdProcess(nodeId: string) {
  const ps = await processesInContainer(nodeId, 'etcd');
  return ps[ps.length - 1];
}

/** Waits (host /proc, 500 ms) for an etcd process in the node that started after `afterTicks`. */
async function waitForNewEtcd(nodeId: string, afterTicks: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const p = await etcdProcess(nodeId);
    if (p && p.startTicks > afterTicks) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new KdrillError(`etcd did not restart in node ${nodeId.slice(0, 12)} within ${timeoutMs / 1000}s after its manifest changed`);
}

/**
 * GET on etcd's metrics port (127.0.0.1:2381, inside the node: /metrics, /livez,
 * /readyz, /health), through the node container, not a port opened to the host.
 * Rejects on no answer within `timeoutMs` or an HTTP error status.
 */
export async function etcdMetricsPortGet(node: string, path: string, timeoutMs: number): Promise<string> {
  const r = await execa('docker', ['exec', node, 'curl', '-sf', '--max-time', String(timeoutMs / 1000), `http://127.0.0.1:2381${path}`], {
    timeout: timeoutMs + 2000,
  });
  return r.stdout;
}

function member(name: string, node: { id: string; ip: string }, dataDevice: () => Promise<string>, slowfs: boolean): EtcdMember {
  return {
    name,
    container: name,
    peerNetwork: { name: 'kind', aliases: [name] },
    clientUrl: () => `https://${node.ip}:2379`,
    metrics: (timeoutMs = 3000) => etcdMetricsPortGet(name, '/metrics', timeoutMs),
    async blkioCgroupDir() {
      // behind kdrill-slowfs the layer's process does etcd's disk I/O, so it is charged for it
      const ps = slowfs ? await processesInContainer(node.id, 'kdrill-slowfs') : [await etcdProcess(node.id)];
      const p = ps[ps.length - 1];
      if (!p) throw new Error(`no ${slowfs ? 'kdrill-slowfs' : 'etcd'} process in node ${name}`);
      return blkioDir(p);
    },
    dataDevice,
    ...(slowfs ? { fsyncDelay: { controlFile: SLOWFS_CONTROL, stats: () => slowFsStats(name) } } : {}),
    followLogs(since, onLine) {
      return followPodLogs(name, '/var/log/pods/kube-system_etcd-*/etcd', since, (line) => onLine(line));
    },
  };
}

/** The device under /var/lib/etcd inside the node ("major:minor" of the whole disk). */
async function nodeDataDevice(node: string): Promise<string> {
  const r = await execa('docker', ['exec', node, 'sh', '-c', 'mountpoint -d /var/lib/etcd 2>/dev/null || stat -c %d /var/lib/etcd']);
  const v = r.stdout.trim();
  if (v.includes(':')) return v;
  const dev = Number(v); // st_dev of an overlay: not a block device we can throttle
  throw new KdrillError(`/var/lib/etcd in ${node} is not on a disk of its own (st_dev ${dev})`, {
    hint: 'give the cluster shape etcdOwnDisk: true, or pass throttleDisk({ device }) explicitly',
  });
}

/** The API server answers a list (retried by waitFor until the deadline). */
async function waitForApi(cluster: KindCluster, timeoutMs: number): Promise<void> {
  await waitFor<k8s.V1Node>(cluster.kc, {
    what: 'the API server to answer after etcd came back',
    path: '/api/v1/nodes',
    list: () => cluster.clients.core.listNode(),
    done: (ns) => ns.length > 0,
    timeoutMs,
  });
}

/**
 * A cluster that just formed (joins, image loads, the previous drill's
 * recovery) has slow fsyncs for a while on 2 cores; a drill started then is
 * invalid at baseline. Wait until every member's WAL fsync p99 stays under
 * 50 ms for three windows in a row (3 minutes at most; the baseline still judges).
 */
async function settle(members: EtcdMember[], ctx: ProvisionContext): Promise<void> {
  const deadline = Date.now() + 3 * 60_000;
  let calm = 0;
  while (calm < 3 && Date.now() < deadline && !ctx.abort.aborted) {
    const p99s = await Promise.all(
      members.map(async (m) => {
        const w = await measureHistogram(() => m.metrics(), WAL_FSYNC, { minSamples: 1, minMs: 3000, maxMs: 6000, signal: ctx.abort });
        return w ? w.quantile(0.99) * 1000 : 0;
      }),
    );
    calm = p99s.every((x) => x < 50) ? calm + 1 : 0;
    if (!calm) ctx.log(`etcd settling: WAL fsync p99 ${p99s.map((x) => `${x.toFixed(0)}ms`).join(', ')}`);
  }
}

export function kindCluster(shape: ClusterShape, opts: KindTargetOptions = {}): TargetProvider<KindTarget> {
  return {
    name: `kind cluster kdrill-${shape.name.replace(/^kdrill-/, '')} (${shape.controlPlanes}+${shape.workers}${shape.etcdSlowFs ? ', etcd on its own disks behind kdrill-slowfs' : shape.etcdOwnDisk ? ', etcd on its own disks' : ''})`,
    async provision(ctx: ProvisionContext): Promise<KindTarget> {
      const { cluster, disks } = await acquireCluster(shape);
      const nodes = new Map<string, { id: string; ip: string; role: string }>();
      for (const n of await cluster.nodes()) {
        if (n.role === 'control-plane' || n.role === 'worker') nodes.set(n.name, { id: await containerId(n.name), ip: await nodeIp(n.name), role: n.role });
      }
      const cps = [...nodes].filter(([, n]) => n.role === 'control-plane');

      const rewritten: { entry: JournalEntry; node: string; id: string; probe?: ExecProbe }[] = [];
      if (opts.etcdPod) {
        for (const [name, node] of cps) {
          const original = await readNodeFile(name, ETCD_MANIFEST);
          if (!original) throw new KdrillError(`${name} has no ${ETCD_MANIFEST}`);
          const pod = YAML.parse(original) as Record<string, unknown>;
          opts.etcdPod(pod);
          const before = (await etcdProcess(node.id))?.startTicks ?? 0;
          ctx.log(`${name}: ${opts.etcdPodChange ?? 'rewriting the etcd static pod'}`);
          const { entry } = await ctx.journal.change(
            { type: 'node-file', container: name, path: ETCD_MANIFEST, contentB64: Buffer.from(original).toString('base64') },
            () => writeNodeFile(name, ETCD_MANIFEST, YAML.stringify(pod)),
          );
          rewritten.push({ entry, node: name, id: node.id, probe: etcdExecLivenessProbe(pod) });
          await waitForNewEtcd(node.id, before, 120_000);
        }
      }
      // a pooled cluster may still be settling from the previous drill (or from the rewrite above):
      // scheduler and controller-manager can sit in CrashLoopBackOff for up to 5 minutes
      await cluster.waitReady(nodes.size, 7 * 60_000);

      const members = cps.map(([name, node]) =>
        member(name, node, async () => disks.get(name)?.majorMinor ?? nodeDataDevice(name), !!shape.etcdSlowFs),
      );
      await settle(members, ctx);
      // A rewritten exec liveness probe must pass on the healthy etcd: if it fails before any fault, the kubelet's
      // kills are the probe command's doing and a restart-loop drill would prove nothing (invalid).
      for (const r of rewritten) {
        if (!r.probe) continue;
        const p = await etcdProcess(r.id);
        if (!p) throw new KdrillError(`${r.node}: no etcd process to run its liveness probe in`);
        const res = await runExecProbe(p.pid, r.probe);
        if (!res.ok) {
          throw new KdrillError(`${r.node}: etcd's liveness probe fails on the healthy etcd, before any fault (${res.ms} ms: ${res.output.split('\n').pop()})`, {
            hint: "the kubelet would kill etcd whatever the fault does: fix the probe's command",
          });
        }
        ctx.log(`${r.node}: etcd's liveness probe passes on the healthy etcd (${res.ms} ms)`);
      }
      // client certificates for etcd, read once from the first control plane
      const pki = async (f: string) => Buffer.from((await readNodeFile(cps[0]![0], `/etc/kubernetes/pki/${f}`)) ?? '');
      const certs = { rootCertificate: await pki('etcd/ca.crt'), certChain: await pki('apiserver-etcd-client.crt'), privateKey: await pki('apiserver-etcd-client.key') };
      const clients: Etcd3[] = [];
      const mk = (hosts: string[]) => {
        const c = new Etcd3({ hosts, credentials: certs, dialTimeout: 3000 });
        clients.push(c);
        return c;
      };
      let all: Etcd3 | undefined;
      const per = new Map<string, Etcd3>();
      return {
        kind: 'etcd',
        cluster,
        shape,
        nodes,
        members,
        describe: () => `kind cluster ${cluster.name}: ${members.length} etcd member(s) (${members.map((m) => m.name).join(', ')}), ${nodes.size - members.length} worker(s)`,
        client: () => (all ??= mk(members.map((m) => m.clientUrl()))),
        memberClient: (n: string) => {
          const m = members.find((x) => x.name === n);
          if (!m) throw new Error(`no etcd member ${n}`);
          let c = per.get(n);
          if (!c) per.set(n, (c = mk([m.clientUrl()])));
          return c;
        },
        async teardown() {
          for (const c of clients) c.close();
          // the cluster stays in the pool: put etcd's manifest back and let it settle for the next drill
          for (const r of rewritten) {
            const before = (await etcdProcess(r.id))?.startTicks ?? 0;
            await ctx.journal.revert(r.entry);
            await waitForNewEtcd(r.id, before, 120_000);
          }
          // cleanup is done when etcd runs its original manifest and the API answers; the rest of
          // kube-system settling (back-off) is waited for by the next drill's provisioning
          if (rewritten.length) await waitForApi(cluster, 3 * 60_000);
        },
      };
    },
  };
}
