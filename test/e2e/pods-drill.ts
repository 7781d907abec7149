import { execa } from 'execa';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../../src/cluster/cluster.js';
import { waitFor } from '../../src/cluster/wait.js';
import { readRecord } from '../../src/record/read.js';
import { runsDir } from '../../src/record/recorder.js';
import type { RunRecord } from '../../src/record/run-record.js';

export interface PodAccessRun {
  code: number | undefined;
  out: string;
  record: RunRecord | undefined;
  /** every `docker exec` the run attempted: refused ones (any but kind's own) must be none */
  execs: { allowed: boolean; args: string }[];
  /** node-access namespaces (and so pods) left in the cluster after the run */
  namespacesLeft: string[];
  ms: number;
}

/**
 * `kdrill run <drill> --node-access pod` on a pooled kind cluster, in a child
 * process whose `docker` refuses `exec` (logging every attempt): the drill can
 * only reach the nodes through the privileged pods. kind's own execs (`kind
 * load docker-image` runs crictl and `ctr images import` in each node) are let
 * through: that is how kdrill's agent image gets onto kind nodes, not a
 * drill's node access. Its live record is read back for the views and the verdicts.
 */
export async function drillThroughPods(drill: string, cluster: string): Promise<PodAccessRun> {
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'kdrill-pods-'));
  try {
    const real = (await execa('sh', ['-c', 'command -v docker'])).stdout.trim();
    const log = join(dir, 'docker-exec.log');
    writeFileSync(
      join(dir, 'docker'),
      [
        '#!/bin/sh',
        'if [ "$1" = exec ]; then',
        // kind's own `kind load docker-image` (crictl inspecti, ctr images import) is not the drill reaching a node
        `  if [ "$(cat /proc/$PPID/comm 2>/dev/null)" = kind ]; then echo "allowed $*" >> '${log}'; exec '${real}' "$@"; fi`,
        `  echo "refused $*" >> '${log}'; echo "docker exec refused: this run must reach nodes through pods" >&2; exit 1`,
        'fi',
        `exec '${real}' "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(join(dir, 'docker'), 0o755);
    const json = join(dir, 'out.json');
    const r = await execa('node', ['dist/src/cli.js', 'run', drill, '--node-access', 'pod', '--json', json], {
      reject: false,
      all: true,
      env: { CI: '1', PATH: `${dir}:${process.env.PATH ?? ''}` },
    });
    let record: RunRecord | undefined;
    if (existsSync(json)) {
      const doc = JSON.parse(readFileSync(json, 'utf8')) as { scenarios: { runId: string }[] };
      const live = join(runsDir(), `${doc.scenarios[0]!.runId}.jsonl`);
      if (existsSync(live)) record = readRecord(live);
    }
    const execs = existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => ({ allowed: l.startsWith('allowed '), args: l.replace(/^\w+ /, '') }))
      : [];
    // the run deleted its namespace (and its pods with it): watch it go, with a deadline
    const c = await attachCluster(cluster);
    const labelSelector = 'app.kubernetes.io/component=node-access';
    const left = await waitFor<k8s.V1Namespace>(c.kc, {
      what: 'the node-access namespaces to be gone',
      path: '/api/v1/namespaces',
      queryParams: { labelSelector },
      list: () => c.clients.core.listNamespace({ labelSelector }),
      done: (ns) => ns.length === 0,
      timeoutMs: 90_000,
    }).catch(async () => (await c.clients.core.listNamespace({ labelSelector })).items);
    return { code: r.exitCode, out: r.all ?? '', record, execs, namespacesLeft: left.map((n) => n.metadata?.name ?? '?'), ms: Date.now() - t0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
