import { loadScenarios } from '../scenario-catalog.js';
import { loadScenarioFile, scenarioFilesIn } from '../scenario-file.js';
import type { Scenario } from '../scenario.js';
import { describeError } from '../util/errors.js';
import { parseCommandArgs } from './args.js';

const USAGE = `usage: kdrill list [--dir DIR] [--json | -o json]

The drills this build knows: id and title (with --json / -o json: id, title,
incident, source, target, fault, expectations and what the drill needs from its target).
  --dir DIR   instead, the scenario files in DIR (*.ts, *.mts, *.js, *.mjs): each is
              loaded as \`kdrill run DIR/FILE\` would; a malformed one is named on stderr (exit 2)`;

export async function run(argv: string[]): Promise<number> {
  const a = parseCommandArgs('list', argv, USAGE, { json: 'boolean', output: 'string', dir: 'string' }, { positionals: false });
  if (a.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const o = a.values.output;
  if (o !== undefined && o !== 'json' && o !== 'text') a.usageError(`-o: expected json or text, got "${o}"`);
  let all: (Scenario & { file?: string })[];
  let code = 0;
  if (a.values.dir !== undefined) {
    all = [];
    for (const f of scenarioFilesIn(a.values.dir as string)) {
      try {
        all.push(Object.assign(await loadScenarioFile(f), { file: f }));
      } catch (e) {
        process.stderr.write(`kdrill: list: ${describeError(e)}\n`);
        code = 2;
      }
    }
  } else all = await loadScenarios();
  if (a.values.json === true || o === 'json') {
    const rows = all.map((s) => ({
      id: s.id,
      title: s.title,
      incident: s.incident,
      source: s.source ?? null,
      target: s.target.name,
      fault: s.fault.describe(),
      expect: s.expect.map((e) => e.name),
      needs: s.needs,
      ...(s.file ? { file: s.file } : {}),
    }));
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return code;
  }
  const w = Math.max(0, ...all.map((s) => s.id.length));
  for (const s of all) process.stdout.write(`${s.id.padEnd(w)}  ${s.title}${s.file ? `  (${s.file})` : ''}\n`);
  return code;
}
