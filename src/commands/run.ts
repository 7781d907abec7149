import { findScenarios } from '../scenario-catalog.js';
import { runScenario } from '../runner.js';
import { Progress } from '../report/progress.js';
import { formatReport } from '../report/text.js';
import { writeJsonReport } from '../report/json.js';
import { exitCodeFor } from '../expect/verdict.js';
import type { ScenarioReport } from '../report/report.js';
import type { Journal } from '../journal.js';
import { KdrillError } from '../util/errors.js';
import { releaseClusters } from '../targets/kind-pool.js';

const USAGE = 'usage: kdrill run <scenario-id...> [--json FILE] [--keep-clusters]';

function parseArgs(argv: string[]): { ids: string[]; json?: string; keepClusters: boolean } {
  const ids: string[] = [];
  let json: string | undefined;
  let keepClusters = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') {
      json = argv[++i];
      if (!json) throw new KdrillError('run: --json needs a file name', { hint: USAGE });
    } else if (a.startsWith('--json=')) json = a.slice(7);
    else if (a === '--keep-clusters') keepClusters = true;
    else if (a.startsWith('-')) throw new KdrillError(`run: unknown option ${a}`, { hint: USAGE });
    else ids.push(a);
  }
  if (ids.length === 0) throw new KdrillError('run: no scenario given', { hint: `${USAGE}; \`kdrill list\` shows the ids` });
  return { ids, json, keepClusters };
}

/**
 * kdrill run: runs drills one after the other. SIGINT/SIGTERM stop the
 * current drill: everything it changed is reverted from its journal before
 * the process exits (exit 2, invalid).
 */
export async function run(argv: string[]): Promise<number> {
  const { ids, json, keepClusters } = parseArgs(argv);
  const scenarios = await findScenarios(ids);
  const interrupt = new AbortController();
  let journal: Journal | undefined;
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`\nkdrill: ${sig} again: exiting now; run \`kdrill clean\` to undo what is left\n`);
      process.exit(2);
    }
    process.stderr.write(`\nkdrill: ${sig}: reverting every change of this run before exiting\n`);
    interrupt.abort();
    void journal?.revertAll({ abort: true });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const reports: ScenarioReport[] = [];
  try {
    for (const s of scenarios) {
      if (interrupt.signal.aborted) break;
      const progress = new Progress();
      progress.start(s.id);
      try {
        const r = await runScenario(s, {
          onPhase: progress.onPhase,
          onNote: progress.onNote,
          abort: interrupt.signal,
          onJournal: (j) => (journal = j),
        });
        reports.push(r);
      } finally {
        progress.stop();
      }
      process.stdout.write(formatReport(reports[reports.length - 1]!) + '\n');
    }
  } finally {
    // kind clusters are shared by the drills of one run; they go with it unless --keep-clusters
    for (const e of await releaseClusters({ keep: keepClusters })) process.stderr.write(`kdrill: cleanup: ${e.message}\n`);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const code = interrupt.signal.aborted ? 2 : exitCodeFor(reports.map((r) => r.verdict));
  if (json) process.stderr.write(`report: ${writeJsonReport(json, reports, code)}\n`);
  return code;
}
