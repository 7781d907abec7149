import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { RESTRICT_OOM_SCORE_ADJ_PATCH } from '../../src/cluster/kind-config.js';
import { hostLacksSysResource } from '../../src/host/capabilities.js';
import { resolveNodeImage } from '../../src/image/index.js';
import { ensureKind } from '../../src/image/kind-source.js';
import { Journal } from '../../src/journal.js';

export interface NamedClusterCheck {
  refused: { code: number | undefined; out: string };
  lookalike: { code: number | undefined; out: string };
  wrongKey: { code: number | undefined; out: string };
  accepted: { code: number | undefined; out: string; verdict?: string };
  /** the etcd manifest's sha256 before the refused runs, after them, and after the accepted run */
  manifest: { before: string; afterRefusals: string; afterRun: string };
  /** journal entries naming this cluster still pending */
  journalsLeft: number;
  clusterStillThere: boolean;
  ms: number;
}

const CLI = 'dist/src/cli.js';
const NAME = 'plain-e2e';

/**
 * A cluster kdrill did not create, made the way a user makes one: `kind create
 * cluster` with a kind config of their own (on hosts without CAP_SYS_RESOURCE
 * kind's nodes need containerd's restrict_oom_score_adj, kdrill's or not). Then
 * real `kdrill run` processes against it: refused without the second key
 * (also through a context renamed like a kdrill cluster), refused when the
 * second key names another context, and with it, a real drill runs there and
 * the cluster is left running. The test deletes the cluster it made.
 */
export async function namedClusterChecks(): Promise<NamedClusterCheck> {
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'kdrill-named-'));
  const kind = await ensureKind();
  const image = await resolveNodeImage('never');
  const cfg = { kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', nodes: [{ role: 'control-plane' }, { role: 'worker' }], ...(hostLacksSysResource() ? { containerdConfigPatches: [RESTRICT_OOM_SCORE_ADJ_PATCH] } : {}) };
  writeFileSync(join(dir, 'kind.yaml'), YAML.stringify(cfg));
  const kubeconfig = join(dir, 'kubeconfig');
  const run = async (args: string[], kc = kubeconfig) => {
    const r = await execa('node', [CLI, 'run', 'control-plane-down-data-plane-up', '--kubeconfig', kc, ...args], { reject: false, all: true, env: { CI: '1' } });
    return { code: r.exitCode, out: r.all ?? '' };
  };
  const manifest = async () => {
    const r = await execa('docker', ['exec', `${NAME}-control-plane`, 'cat', '/etc/kubernetes/manifests/etcd.yaml'], { reject: false });
    return r.exitCode === 0 ? createHash('sha256').update(r.stdout).digest('hex') : `unreadable: ${r.stderr.trim()}`;
  };
  try {
    await execa(kind, ['create', 'cluster', '--name', NAME, '--image', image.ref, '--config', join(dir, 'kind.yaml'), '--kubeconfig', kubeconfig, '--wait', '3m']);
    const before = await manifest();
    const refused = await run(['--context', `kind-${NAME}`]);
    // the same cluster under a context named like one of kdrill's: a name does not make it kdrill's
    const lookalikeKc = join(dir, 'lookalike');
    writeFileSync(lookalikeKc, readFileSync(kubeconfig, 'utf8').replaceAll(`kind-${NAME}`, 'kind-kdrill-drill-1cp'));
    const lookalike = await run(['--context', 'kind-kdrill-drill-1cp'], lookalikeKc);
    const wrongKey = await run(['--context', `kind-${NAME}`, '--target-context', 'kind-kdrill-drill-1cp']);
    const afterRefusals = await manifest();
    const json = join(dir, 'run.json');
    const accepted = await run(['--context', `kind-${NAME}`, '--target-context', `kind-${NAME}`, '--json', json]);
    let verdict: string | undefined;
    try {
      verdict = (JSON.parse(readFileSync(json, 'utf8')) as { verdicts: Record<string, string> }).verdicts['control-plane-down-data-plane-up'];
    } catch {
      verdict = undefined;
    }
    const afterRun = await manifest();
    const clusters = (await execa(kind, ['get', 'clusters'])).stdout.split('\n');
    return {
      refused,
      lookalike,
      wrongKey,
      accepted: { ...accepted, verdict },
      manifest: { before, afterRefusals, afterRun },
      // changes on this cluster not undone, in any journal (other lanes' journals are open beside this)
      journalsLeft: Journal.list().journals.flatMap((j) => j.pending()).filter((e) => JSON.stringify(e.record).includes(NAME)).length,
      clusterStillThere: clusters.includes(NAME),
      ms: Date.now() - t0,
    };
  } finally {
    await execa(kind, ['delete', 'cluster', '--name', NAME], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  }
}
