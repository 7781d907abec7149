import { execa } from 'execa';
import { createInterface } from 'node:readline';
import { Journal } from '../../src/journal.js';
import { attachCluster } from '../../src/cluster/cluster.js';
import { clusterName } from '../../src/cluster/kind.js';
import { dockerNode } from '../../src/targets/docker-node.js';
import { stopNodeService } from '../../src/changes/node-service.js';
import type { WatchLine } from '../../src/watch/cluster-watch.js';

export interface WatchCheck {
  notReady?: WatchLine;
  ready?: WatchLine;
  /** the pods the API lists on the node when the watch said it went NotReady */
  podsOnNode: string[];
  podNotReady: WatchLine[];
  exitCode?: number;
  journalLeft: string[];
  output: string;
  summary: string;
}

/**
 * `kdrill watch -o json` (a real child process) on a kind cluster while one of
 * its workers stops reporting: its kubelet stopped through the change registry
 * (journaled: a killed test is undone by `kdrill clean`), started again once
 * the watch has said the node is NotReady.
 */
export async function watchFailingNode(shape: string): Promise<WatchCheck> {
  const full = clusterName(shape);
  const cluster = await attachCluster(full);
  const worker = `${full}-worker2`;
  const node = dockerNode({ via: 'docker', cluster: full, node: worker, container: worker });
  const child = execa('node', ['dist/src/cli.js', 'watch', '--cluster', shape, '-o', 'json', '--for', '6m'], { reject: false, all: true, buffer: true });
  const lines: WatchLine[] = [];
  let out = '';
  let podsOnNode: string[] = [];
  let stoppedAt = 0;
  const journal = Journal.open(`e2e-watch-${process.pid}`, 'e2e: kdrill watch against a worker whose kubelet is stopped');
  const result: Partial<WatchCheck> = {};
  try {
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stderr! }).on('line', (l) => {
        out += `${l}\n`;
        if (/: watching/.test(l)) resolve();
      });
      child.then((r) => reject(new Error(`kdrill watch ended early (exit ${r.exitCode}): ${r.all}`)), reject);
    });
    const done = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (l) => {
        out += `${l}\n`;
        const w = JSON.parse(l) as WatchLine;
        lines.push(w);
        if (w.kind === 'node.notready' && w.node === worker && !result.notReady) {
          result.notReady = w;
          void cluster.clients.core
            .listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${worker}` })
            .then((l2) => (podsOnNode = l2.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).sort()))
            .then(() => journal.revertEntries(journal.pending()));
        }
        if (w.kind === 'node.ready' && w.node === worker && result.notReady) {
          result.ready = w;
          resolve();
        }
      });
      setTimeout(resolve, 5 * 60_000).unref();
    });
    await stopNodeService(journal, node, 'kubelet');
    stoppedAt = Date.now();
    await done;
  } finally {
    await journal.revertEntries(journal.pending()).catch(() => undefined);
    child.kill('SIGINT');
  }
  const r = await child;
  const journalLeft = journal.pending().map((e) => e.record.type);
  if (!journalLeft.length) journal.discard();
  const podNotReady = lines.filter((l) => l.kind === 'pod.notready' && l.node === worker);
  const n = result.notReady;
  return {
    ...result,
    podsOnNode,
    podNotReady,
    exitCode: r.exitCode,
    journalLeft,
    output: out,
    summary: n
      ? `kubelet stopped; NotReady (${n.reason}) at +${((n.at - stoppedAt) / 1000).toFixed(1)} s by its condition, said by kdrill watch ${((n.seen - n.at) / 1000).toFixed(1)} s after that, with ${n.pods?.length} pod(s): ${n.pods?.join(', ')}; ${podNotReady.length} pod(s) then lost Ready; Ready again ${result.ready ? `${((result.ready.at - n.at) / 1000).toFixed(1)} s later` : 'NEVER'}`
      : `kubelet stopped; kdrill watch never said ${worker} NotReady`,
  };
}
