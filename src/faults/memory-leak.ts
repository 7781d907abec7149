import type * as k8s from '@kubernetes/client-node';
import YAML from 'yaml';
import type { JournalEntry } from '../journal.js';
import { kubeOf, nodesOf, nodesWithRole, type Target } from '../targets/target.js';
import type { ClusterNode } from '../targets/node.js';
import { applyMemoryLimit } from '../changes/memory-limit.js';
import { createObject } from '../changes/kube-object.js';
import { writeNodeFileChange } from '../changes/node-file.js';
import { restartNodeService, restartOnUndo } from '../changes/node-service.js';
import { MEMORY_FILES, readMemorySample } from '../host/cgroups.js';
import { ensureAgentImage } from '../image/index.js';
import { drillNamespace } from '../probes/drill-workloads.js';
import { waitFor, isNodeReady } from '../cluster/wait.js';
import { podEnv } from '../cluster/workloads.js';
import { formatMiB, parseRate, parseSize, type Size } from '../util/bytes.js';
import { sleep } from '../util/sleep.js';
import type { Fault, Injection } from './fault.js';

const MiB = 2 ** 20;
export const LEAK_APP = 'leak';
const KUBELET_CONFIG = '/var/lib/kubelet/config.yaml';

export interface MemoryLeakOptions {
  /** the node the leak is pinned to: a node name, or 'worker' (the first worker; the default) */
  node?: string;
  /** the node's memory cap: its container's own cgroup (memory.limit_in_bytes on v1, memory.max on v2) */
  cap: Size;
  /** how fast the workload leaks, e.g. '20Mi/s' */
  rate: Size;
  /** the leaking container's requests and limits (the postmortem's fix); absent: none, a BestEffort pod */
  resources?: { request: Size; limit: Size };
  /**
   * kubelet memory eviction on the node, relative to the cap: evict when the
   * node's working set comes within `margin` of the cap. The kubelet reads
   * its capacity from the node's /proc/meminfo, i.e. the host's memory, so a
   * threshold written as kubelet's default (memory.available<100Mi) never
   * fires under a cap: the threshold set is capacity − cap + margin.
   */
  eviction?: { margin: Size };
}

function pickNode(target: Target, which: string | undefined): ClusterNode {
  if (!which || which === 'worker') {
    const w = nodesWithRole(target, 'worker')[0];
    if (!w) throw new Error('the cluster has no worker to pin the leak to');
    return w;
  }
  const n = nodesOf(target).get(which);
  if (!n) throw new Error(`no node ${which} (nodes: ${[...nodesOf(target).keys()].join(', ')})`);
  return n;
}

/** Kubernetes' quantity strings for memory (e.g. "24563704Ki") as bytes. */
export function memoryQuantity(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q.trim());
  if (!m) throw new Error(`cannot read memory quantity ${q}`);
  const unit: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * unit[m[2] ?? '']!;
}

/** The kubelet config with a memory.available hard eviction threshold (the others kept: kind sets only disk ones). */
export function withMemoryEviction(configYaml: string, thresholdMiB: number): string {
  const doc = YAML.parseDocument(configYaml);
  const hard = (doc.get('evictionHard') as YAML.YAMLMap | undefined)?.toJSON() ?? {};
  doc.set('evictionHard', { ...hard, 'memory.available': `${thresholdMiB}Mi` });
  return doc.toString();
}

/** The leaking workload: kdrill's agent allocating and touching `rate` per second, pinned to the node. */
export function leakDeployment(o: { namespace: string; image: string; node: string; rateMiB: number; maxMiB: number; resources?: { request: number; limit: number } }): k8s.V1Deployment {
  const labels = { app: LEAK_APP, 'app.kubernetes.io/managed-by': 'kdrill' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: LEAK_APP, namespace: o.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: LEAK_APP } },
      template: {
        metadata: { labels },
        spec: {
          // pinned: on a node without the cap it would leak into the host's memory (its -max bounds even that)
          nodeSelector: { 'kubernetes.io/hostname': o.node },
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'leak',
              image: o.image,
              imagePullPolicy: 'Never',
              args: ['leak', '-rate', String(o.rateMiB), '-max', String(o.maxMiB)],
              env: podEnv,
              ...(o.resources ? { resources: { requests: { memory: `${Math.round(o.resources.request / MiB)}Mi` }, limits: { memory: `${Math.round(o.resources.limit / MiB)}Mi` } } } : {}),
            },
          ],
        },
      },
    },
  };
}

/**
 * Incident 004: "the unanswered emails job would use up all the memory".
 * The node gets a memory cap on its own container's cgroup (journaled; the
 * host is never at risk), then a workload that leaks at a steady rate is
 * pinned to it — with no requests or limits as in the postmortem, or with
 * them (the fix). In effect when the cap reads back, the leaker runs on the
 * node and the node's memory, as its cgroup counts it, grows.
 */
export function memoryLeak(opts: MemoryLeakOptions): Fault {
  const cap = parseSize(opts.cap, 'cap');
  const rate = parseRate(opts.rate, 'rate');
  const resources = opts.resources ? { request: parseSize(opts.resources.request, 'resources.request'), limit: parseSize(opts.resources.limit, 'resources.limit') } : undefined;
  const margin = opts.eviction ? parseSize(opts.eviction.margin, 'eviction.margin') : undefined;
  if (rate < MiB) throw new TypeError(`rate: at least 1Mi/s, got ${opts.rate}`);
  if (margin !== undefined && margin >= cap) throw new TypeError(`eviction.margin (${opts.eviction!.margin}) must be below the cap (${opts.cap})`);
  const rateMiB = Math.round(rate / MiB);
  // even a leaker somehow off its capped node stops here
  const maxMiB = Math.round((resources ? resources.limit * 2 : cap + 256 * MiB) / MiB);
  return {
    name: 'memoryLeak',
    needs: ['kube.api', 'node.fs', 'node.host'],
    describe: () =>
      `a workload leaking ${rateMiB} MiB/s ${resources ? `with requests ${formatMiB(resources.request)} and limits ${formatMiB(resources.limit)}` : 'with no requests or limits'} on ${opts.node ?? 'a worker'} capped at ${formatMiB(cap)}${margin !== undefined ? `, kubelet eviction ${formatMiB(margin)} below the cap` : ''}`,
    async inject(ctx): Promise<Injection> {
      const { target, journal, log, abort, runId } = ctx;
      const kube = kubeOf(target);
      const node = pickNode(target, opts.node);
      const cg = await node.hostCgroup!('memory');
      const before = await readMemorySample(cg.dir, cg.version);
      if (cap < before.usage + 256 * MiB) throw new Error(`cap ${formatMiB(cap)} is too close to what ${node.name} already uses (${formatMiB(before.usage)}): leave it at least 256 MiB to grow into`);
      const entries: JournalEntry[] = [];
      const capped = await applyMemoryLimit(journal, { file: `${cg.dir}/${MEMORY_FILES[cg.version].limit}`, bytes: cap, node: node.name, cluster: kube.name });
      entries.push(capped.entry);
      log(`${node.name}: memory capped at ${formatMiB(cap)} (${cg.version} ${cg.dir}; it used ${formatMiB(before.usage)}, no cap before: ${capped.result.previous})`);
      const measurements: Record<string, number | string> = { capMiB: Math.round(cap / MiB), rateMiBps: rateMiB, baselineMiB: Math.round(before.usage / MiB), cgroup: cg.version };

      if (margin !== undefined) {
        const capacity = memoryQuantity((await kube.clients.core.readNode({ name: node.name })).status?.capacity?.memory ?? '0');
        const thresholdMiB = Math.round((capacity - cap + margin) / MiB);
        entries.push((await restartOnUndo(journal, node, 'kubelet')).entry);
        const cfg = await node.readFile(KUBELET_CONFIG);
        if (!cfg) throw new Error(`${node.name}: no ${KUBELET_CONFIG}`);
        entries.push((await writeNodeFileChange(journal, node, KUBELET_CONFIG, withMemoryEviction(cfg.content.toString('utf8'), thresholdMiB))).entry);
        await restartNodeService(node, 'kubelet');
        // the restarted kubelet's own view of its config (its /configz through the API server), asked until it
        // answers: the node's Ready condition stays True across a quick restart and says nothing about it
        let seen: string | undefined;
        let lastErr = '';
        const deadline = Date.now() + 90_000;
        while (!abort.aborted && Date.now() < deadline && seen !== `${thresholdMiB}Mi`) {
          try {
            const raw: unknown = await kube.clients.core.connectGetNodeProxyWithPath({ name: node.name, path: 'configz' });
            const configz = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { kubeletconfig?: { evictionHard?: Record<string, string> } };
            seen = configz.kubeletconfig?.evictionHard?.['memory.available'] ?? 'unset';
          } catch (e) {
            lastErr = (e as Error).message.split('\n')[0]!.slice(0, 160);
          }
          if (seen !== `${thresholdMiB}Mi`) await sleep(1000, abort);
        }
        if (seen !== `${thresholdMiB}Mi`) throw new Error(`${node.name}: the kubelet's evictionHard memory.available is ${seen ?? `unknown (${lastErr})`} 90 s after the restart, not ${thresholdMiB}Mi`);
        await waitFor<k8s.V1Node>(kube.kc, {
          what: `${node.name} Ready after the kubelet restart`,
          path: '/api/v1/nodes',
          list: () => kube.clients.core.listNode(),
          done: (ns) => ns.some((n) => n.metadata?.name === node.name && isNodeReady(n)),
          timeoutMs: 2 * 60_000,
          signal: abort,
        });
        log(`${node.name}: kubelet evicts at memory.available < ${thresholdMiB}Mi (capacity ${formatMiB(capacity)} from the host's /proc/meminfo − cap ${formatMiB(cap)} + margin ${formatMiB(margin)}): working set ${formatMiB(cap - margin)}`);
        measurements.evictionThresholdMiB = thresholdMiB;
        measurements.capacityMiB = Math.round(capacity / MiB);
      }

      const namespace = await drillNamespace({ target, journal, runId });
      const dep = leakDeployment({ namespace, image: await ensureAgentImage(), node: node.name, rateMiB, maxMiB, resources });
      const created = await createObject(journal, kube, dep as unknown as Parameters<typeof createObject>[2]);
      entries.push(created.entry);
      const injectedAt = created.appliedAt;
      const revert = async (): Promise<void> => {
        // the leaker first, and gone, before the cap goes: then the rest, newest first
        await journal.revert(created.entry);
        await waitFor<k8s.V1Pod>(kube.kc, {
          what: `the ${LEAK_APP} pods to be gone`,
          path: `/api/v1/namespaces/${namespace}/pods`,
          list: () => kube.clients.core.listNamespacedPod({ namespace, labelSelector: `app=${LEAK_APP}` }),
          queryParams: { labelSelector: `app=${LEAK_APP}` },
          done: (ps) => ps.length === 0,
          timeoutMs: 2 * 60_000,
        }).catch((e: Error) => log(`revert: ${e.message} (its -max ${maxMiB} MiB bounds it)`));
        await journal.revertEntries(entries.filter((e) => e !== created.entry));
      };

      const running = await waitFor<k8s.V1Pod>(kube.kc, {
        what: `a ${LEAK_APP} pod running on ${node.name}`,
        path: `/api/v1/namespaces/${namespace}/pods`,
        list: () => kube.clients.core.listNamespacedPod({ namespace, labelSelector: `app=${LEAK_APP}` }),
        queryParams: { labelSelector: `app=${LEAK_APP}` },
        done: (ps) => ps.some((p) => p.spec?.nodeName === node.name && p.status?.phase === 'Running'),
        timeoutMs: 2 * 60_000,
        signal: abort,
      }).then(
        () => true,
        () => false,
      );
      // growth the cgroup itself counts: the leak is real, not a pod that merely runs
      const want = Math.min(64 * MiB, (resources?.limit ?? cap) / 2);
      const start = await readMemorySample(cg.dir, cg.version);
      let grown = 0;
      const deadline = Date.now() + 60_000;
      while (running && !abort.aborted && Date.now() < deadline) {
        grown = Math.max(grown, (await readMemorySample(cg.dir, cg.version)).usage - start.usage);
        if (grown >= want) break;
        await sleep(500, abort);
      }
      const inEffect = running && grown >= want;
      measurements.grewMiB = Math.round(grown / MiB);
      return {
        injectedAt,
        inEffect,
        verifiedAt: inEffect ? Date.now() : undefined,
        evidence: `${node.name} capped at ${formatMiB(cap)} (${cg.version}); the leaker ${running ? 'runs there' : 'NEVER ran there'}; the node's cgroup grew ${formatMiB(grown)} (wanted ${formatMiB(want)})`,
        subjects: [node.name],
        measurements,
        revert,
      };
    },
  };
}
