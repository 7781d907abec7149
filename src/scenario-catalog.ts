import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Scenario } from './scenario.js';
import { KdrillError } from './util/errors.js';
import { isScenarioPath, loadScenarioFile } from './scenario-file.js';

/** The compiled scenarios/ directory, next to src/ in dist/. */
const DIR = new URL('../scenarios/', import.meta.url);

/** Every scenario in scenarios/ (one default export per file), sorted by id. */
export async function loadScenarios(): Promise<Scenario[]> {
  let files: string[];
  try {
    files = readdirSync(fileURLToPath(DIR)).filter((f) => f.endsWith('.js'));
  } catch {
    throw new KdrillError(`no compiled scenarios at ${fileURLToPath(DIR)}`, { hint: 'run `npm run build` first' });
  }
  const out: Scenario[] = [];
  for (const f of files.sort()) {
    const mod = (await import(new URL(f, DIR).href)) as { default?: Scenario };
    if (!mod.default || typeof mod.default.id !== 'string') {
      throw new KdrillError(`scenarios/${f.replace(/\.js$/, '.ts')} has no default export made with defineScenario(...)`);
    }
    out.push(mod.default);
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** Built-in drills by id, and users' drills by file path (./my-drill.ts), in the order given. */
export async function findScenarios(ids: string[]): Promise<Scenario[]> {
  const all = await loadScenarios();
  const out: Scenario[] = [];
  for (const id of ids) {
    if (isScenarioPath(id)) {
      out.push(await loadScenarioFile(id));
      continue;
    }
    const s = all.find((x) => x.id === id);
    if (!s) throw new KdrillError(`unknown scenario "${id}"`, { hint: `known: ${all.map((x) => x.id).join(', ')} (kdrill list), or a path to a scenario file (./my-drill.ts)` });
    out.push(s);
  }
  const seen = new Map<string, string>();
  ids.forEach((arg, i) => {
    const prev = seen.get(out[i]!.id);
    if (prev !== undefined && prev !== arg) throw new KdrillError(`two drills with the id "${out[i]!.id}": ${prev} and ${arg}`, { hint: 'give each scenario an id of its own' });
    seen.set(out[i]!.id, arg);
  });
  return out;
}
