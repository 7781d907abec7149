import { existsSync, readdirSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { madeBy, THIS_KDRILL, type Scenario } from './scenario.js';
import { KdrillError } from './util/errors.js';

/**
 * Users' own drills: a file (TypeScript or JavaScript) whose default export is
 * made with defineScenario from 'kdrill'. TypeScript loads without a build
 * step through tsx (an npm loader: Node 20 cannot strip types itself),
 * registered for the whole process, so the file and kdrill share one module
 * graph. A malformed file is one line naming the file (and the field).
 */
export const SCENARIO_FILE = /\.(ts|mts|js|mjs)$/;

/** Whether a command-line argument names a file rather than a built-in drill's id. */
export function isScenarioPath(arg: string): boolean {
  return arg.includes('/') || SCENARIO_FILE.test(arg);
}

let hooks: Promise<void> | undefined;
function registerHooks(): Promise<void> {
  hooks ??= (async () => {
    const tsx = (await import('tsx/esm/api')) as { register: () => unknown };
    tsx.register();
    // after tsx: hooks registered last run first
    register(new URL('./loader/resolve-kdrill.js', import.meta.url), { data: { dsl: new URL('./dsl.js', import.meta.url).href } });
  })();
  return hooks;
}

export async function loadScenarioFile(arg: string): Promise<Scenario> {
  const file = resolve(arg);
  if (!existsSync(file)) throw new KdrillError(`${arg}: no such scenario file`, { hint: 'a path to a .ts, .mts, .js or .mjs file, or a built-in drill id (kdrill list)' });
  if (!statSync(file).isFile() || !SCENARIO_FILE.test(file)) throw new KdrillError(`${arg}: not a scenario file`, { hint: 'a .ts, .mts, .js or .mjs file whose default export is defineScenario({...})' });
  await registerHooks();
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (e) {
    const err = e as Error & { code?: string };
    // defineScenario's own one-line errors name the field; esbuild's and node's name the place
    const lines = (err.message ?? String(e)).split('\n').filter((l) => l.trim());
    // esbuild: "Transform failed with 1 error:" then "/path/file.ts:2:0: ERROR: Expected ..."
    const first = lines.find((l) => /ERROR:/.test(l))?.replace(/^.*?:(\d+:\d+): ERROR: /, 'line $1: ') ?? lines[0] ?? String(e);
    throw new KdrillError(`${arg}: ${first.replace(/^\s*/, '')}`, { hint: err.code === 'ERR_MODULE_NOT_FOUND' ? 'install what it imports next to it (npm install kdrill)' : 'fix the file; `kdrill init-drill NAME` writes a commented one that passes' });
  }
  const s = mod.default as Scenario | undefined;
  const by = madeBy(s);
  if (!s || !by) throw new KdrillError(`${arg}: its default export is not a scenario`, { hint: "export default defineScenario({...}) (import { defineScenario } from 'kdrill')" });
  if (by !== THIS_KDRILL) {
    throw new KdrillError(`${arg}: it imports another kdrill (${by.replace(/\/dist\/src\/scenario\.js$/, '')}) than the one running it (${THIS_KDRILL.replace(/\/dist\/src\/scenario\.js$/, '')})`, {
      hint: 'run it with the kdrill it imports (npx kdrill run ...), so that both are one',
    });
  }
  return s;
}

/** The scenario files in a directory (not recursive), sorted by name. */
export function scenarioFilesIn(dir: string): string[] {
  const d = resolve(dir);
  if (!existsSync(d) || !statSync(d).isDirectory()) throw new KdrillError(`${dir}: no such directory`);
  return readdirSync(d)
    .filter((f) => SCENARIO_FILE.test(f) && !f.endsWith('.d.ts') && !basename(f).startsWith('.'))
    .sort()
    .map((f) => join(d, f));
}


