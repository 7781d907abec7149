import { findScenarios } from '../scenario-catalog.js';
import { runScenario } from '../runner.js';
import { Progress } from '../report/progress.js';
import { formatRun } from '../report/text.js';
import { checkReportPaths, writeReports } from '../report/write.js';
import { exitCodeFor } from '../expect/verdict.js';
import type { RunRecord } from '../record/run-record.js';
import { Journal } from '../journal.js';
import { releaseClusters } from '../targets/kind-pool.js';
import { interruptProcess, interruptSignal } from '../util/exec.js';
import { parseCommandArgs } from './args.js';
import { nameCluster } from '../targets/named-cluster.js';
import { onNamedCluster, throughPods } from '../scenario-retarget.js';
import type { NodeAccessChoice } from '../targets/target.js';

const USAGE = `usage: kdrill run <scenario-id | file.ts ...> [--json FILE] [--junit FILE] [--html FILE] [--keep-clusters]
                  [--kubeconfig FILE] [--context C] [--target-context C]
                  [--node-access docker|pod] [--node-image IMAGE]

Runs drills one after the other and prints each verdict; exit 0 all pass,
1 a drill failed, 2 a drill was invalid (or a usage error). A drill is a
built-in id (kdrill list) or a scenario file of your own (./my-drill.ts,
.mts, .js, .mjs; kdrill init-drill writes one).
  --json FILE       the run's document (schema/run.v1.json), written at the end
  --junit FILE      JUnit XML: one testcase per expectation, for CI
  --html FILE       a self-contained HTML timeline of each drill
  --keep-clusters   keep the kind clusters the drills created (default: deleted)
  --kubeconfig FILE, --context C
                    run on this cluster instead of one kdrill creates (default
                    file: $KUBECONFIG or ~/.kube/config; default context: its
                    current one). Its nodes are reached through docker when
                    they are kind node containers on this host, else through
                    a privileged pod per node.
  --target-context C
                    the second key: a cluster kdrill did not create (its
                    marker, not its name, says so) is refused unless C repeats
                    the context's name. Nothing is deleted there.
  --node-access pod reach the nodes through a short-lived privileged pod per
                    node (host PID and network namespaces, / at /host; its
                    namespace labelled for Pod Security privileged; journaled)
                    instead of docker exec. Drills that stop the API server or
                    cap a node container are refused: they need docker.
  --node-image IMAGE
                    the node-access pods' image (default: kdrill's agent on
                    kind, busybox:1.37 elsewhere; it needs chroot)
Each run's live record (JSON Lines) is written under $KDRILL_STATE/runs/ as it
goes; \`kdrill report\` renders it again later. Output paths are checked first.
Ctrl-C (or SIGTERM) stops the drill and reverts everything it changed before
exiting; further signals do not cut the revert short.`;

/**
 * kdrill run. The first SIGINT/SIGTERM aborts whatever phase is running
 * (provisioning included) and reverts; later ones are acknowledged and the
 * revert goes on. Leases are given back only after the revert.
 */
export async function run(argv: string[]): Promise<number> {
  const a = parseCommandArgs('run', argv, USAGE, {
    json: 'string',
    junit: 'string',
    html: 'string',
    'keep-clusters': 'boolean',
    kubeconfig: 'string',
    context: 'string',
    'target-context': 'string',
    'node-access': 'string',
    'node-image': 'string',
  });
  if (a.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const reports = checkReportPaths(a.values);
  if (a.positionals.length === 0) a.usageError('no scenario given; `kdrill list` shows the ids');
  let scenarios = await findScenarios(a.positionals);
  const kubeconfig = a.values.kubeconfig as string | undefined;
  const context = a.values.context as string | undefined;
  const targetContext = a.values['target-context'] as string | undefined;
  if (targetContext !== undefined && kubeconfig === undefined && context === undefined) a.usageError('--target-context confirms --kubeconfig/--context: give the cluster first');
  const accessWord = a.values['node-access'] as string | undefined;
  const nodeImage = a.values['node-image'] as string | undefined;
  if (accessWord !== undefined && accessWord !== 'docker' && accessWord !== 'pod') a.usageError(`--node-access ${accessWord}: expected docker or pod`);
  if (nodeImage !== undefined && accessWord !== 'pod') a.usageError('--node-image is the image of the node-access pods: give --node-access pod too');
  const access: NodeAccessChoice | undefined = accessWord === 'pod' ? { via: 'pod', ...(nodeImage ? { image: nodeImage } : {}) } : accessWord === 'docker' ? { via: 'docker' } : undefined;
  if (kubeconfig !== undefined || context !== undefined) {
    const named = await nameCluster(kubeconfig, context);
    if (access?.via === 'docker' && !named.kindName) a.usageError(`--node-access docker: the nodes of context ${named.context} are not kind node containers on this host`);
    scenarios = await onNamedCluster(scenarios, named, targetContext, access);
  } else if (access?.via === 'pod') scenarios = throughPods(scenarios, nodeImage);
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`\nkdrill: ${sig}: stopping and reverting every change of this run before exiting\n`);
      interruptProcess();
      return;
    }
    process.stderr.write(`\nkdrill: ${sig} again: still reverting, ${Journal.pendingInProcess()} change(s) left; kill -9 and \`kdrill clean\` to abandon\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const records: RunRecord[] = [];
  try {
    for (const s of scenarios) {
      if (interruptSignal.aborted) break;
      const progress = new Progress();
      progress.start(s.id);
      try {
        records.push(await runScenario(s, { onEvent: progress.onEvent, abort: interruptSignal }));
      } finally {
        progress.stop();
      }
      process.stdout.write(formatRun(records[records.length - 1]!) + '\n');
    }
  } finally {
    // kind clusters are shared by the drills of one run; they go with it unless --keep-clusters (leases after)
    for (const e of await releaseClusters({ keep: a.values['keep-clusters'] === true })) process.stderr.write(`kdrill: cleanup: ${e.message}\n`);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const code = interruptSignal.aborted ? 2 : exitCodeFor(records.map((r) => r.verdict ?? 'invalid'));
  for (const p of writeReports(reports, records, code)) process.stderr.write(`report: ${p}\n`);
  return code;
}
