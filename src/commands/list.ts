import { loadScenarios } from '../scenario-catalog.js';
import { parseCommandArgs } from './args.js';

const USAGE = `usage: kdrill list [--json | -o json]

The drills this build knows: id and title (with --json / -o json: id, title,
incident, source, target, fault, expectations and what the drill needs from its target).`;

export async function run(argv: string[]): Promise<number> {
  const a = parseCommandArgs('list', argv, USAGE, { json: 'boolean', output: 'string' }, { positionals: false });
  if (a.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const o = a.values.output;
  if (o !== undefined && o !== 'json' && o !== 'text') a.usageError(`-o: expected json or text, got "${o}"`);
  const all = await loadScenarios();
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
    }));
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  const w = Math.max(...all.map((s) => s.id.length));
  for (const s of all) process.stdout.write(`${s.id.padEnd(w)}  ${s.title}\n`);
  return 0;
}
