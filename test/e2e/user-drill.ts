import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

export interface UserDrillRun {
  /** what `npm pack` put in the tarball (paths) */
  packed: string[];
  /** where `import 'kdrill'` resolved from inside the user's project */
  resolved: string;
  initOut: string;
  list: { code: number | undefined; out: string };
  run: { code: number | undefined; out: string };
  /** the --json document's verdict of the one drill */
  verdict: string | undefined;
  ms: number;
}

/**
 * A user's project, as a user makes one: kdrill packed (`npm pack`) and
 * installed in an empty temporary directory, a drill written there by
 * `npx kdrill init-drill`, then `npx kdrill run ./my-leak.ts` — TypeScript, no
 * build step, `import ... from 'kdrill'` resolving to the installed package —
 * on a real kind cluster. The directory goes afterwards.
 */
export async function userDrill(): Promise<UserDrillRun> {
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'kdrill-user-project-'));
  try {
    // dist is built by `npm test` already: no prepack rebuild
    const pack = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: packageRoot() });
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-drills', private: true }, null, 2));
    await execa('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', `./${info!.filename}`], { cwd: dir });
    const env = { CI: '1' };
    const kdrill = (args: string[]) => execa('npx', ['--no-install', 'kdrill', ...args], { cwd: dir, env, reject: false, all: true });
    const init = await kdrill(['init-drill', 'my-leak']);
    if (init.exitCode !== 0) throw new Error(`init-drill: ${init.all}`);
    const resolved = (await execa('node', ['--input-type=module', '-e', "console.log(import.meta.resolve('kdrill'))"], { cwd: dir })).stdout.trim();
    const list = await kdrill(['list', '--dir', '.']);
    const run = await kdrill(['run', './my-leak.ts', '--json', 'out.json']);
    let verdict: string | undefined;
    try {
      const doc = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { verdicts: Record<string, string> };
      verdict = doc.verdicts['my-leak'];
    } catch {
      verdict = undefined;
    }
    return { packed: info!.files.map((f) => f.path), resolved, initOut: init.all ?? '', list: { code: list.exitCode, out: list.all ?? '' }, run: { code: run.exitCode, out: run.all ?? '' }, verdict, ms: Date.now() - t0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
