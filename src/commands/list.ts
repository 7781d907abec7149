import { loadScenarios } from '../scenario-catalog.js';
import { KdrillError } from '../util/errors.js';

/** kdrill list [--json]: the drills this build knows. */
export async function run(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const unknown = argv.filter((a) => a !== '--json');
  if (unknown.length) throw new KdrillError(`list: unexpected argument "${unknown[0]}"`, { hint: 'usage: kdrill list [--json]' });
  const all = await loadScenarios();
  if (json) {
    const rows = all.map((s) => ({ id: s.id, title: s.title, incident: s.incident, source: s.source ?? null, target: s.target.name, fault: s.fault.describe(), expect: s.expect.map((e) => e.name) }));
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  const w = Math.max(...all.map((s) => s.id.length));
  for (const s of all) process.stdout.write(`${s.id.padEnd(w)}  ${s.title}\n`);
  return 0;
}
