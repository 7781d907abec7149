import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KdrillError } from '../util/errors.js';
import { parseCommandArgs } from './args.js';

const USAGE = `usage: kdrill init-drill NAME [--dir DIR]

Writes DIR/NAME.ts (default: the current directory): a commented drill of your
own that passes on a fresh kind cluster — a leaking pod with memory limits is
contained — to edit into your incident. Run it with \`kdrill run ./NAME.ts\`
(TypeScript loads as is; \`import ... from 'kdrill'\` resolves to your project's
kdrill, or to the one running it). Never overwrites a file.`;

/** The template (pure): a scenario file for `id`. */
export function drillTemplate(id: string): string {
  return `// A kdrill drill of your own. Run it: kdrill run ./${id}.ts  (exit 0 pass, 1 fail, 2 invalid)
// Every part comes from one import; \`kdrill list -o json\` shows the built-in drills for more examples.
import {
  containerOomKilled,
  defineScenario,
  detected,
  holds,
  kernelOomKill,
  kindCluster,
  memoryLeak,
  nodeNotReady,
  ONE_CONTROL_PLANE_TWO_WORKERS,
  recovers,
  serviceAnswers,
  steadyState,
} from 'kdrill';

export default defineScenario({
  // kebab-case, unique: \`kdrill run\` and the reports know the drill by it
  id: '${id}',
  title: 'a pod that leaks memory, with requests and limits, is contained',
  // the incident in its own words: what happened, as the postmortem tells it
  incident: 'A job leaked memory until its node fell over. With memory limits, only the job should be restarted.',
  // where the incident was published (optional): { title, author?, publisher?, url }
  // source: { title: '...', url: 'https://...' },

  // where it runs: a kind cluster kdrill creates (or reuses) and deletes at the end (--keep-clusters keeps it)
  target: kindCluster(ONE_CONTROL_PLANE_TWO_WORKERS),
  // what "healthy" means: none of these may fire at baseline, and all must clear after the revert
  steady: steadyState.nodes(),
  // the fault: journaled before it is made, verified in effect by measurement, reverted exactly
  fault: memoryLeak({ cap: '1024Mi', rate: '20Mi/s', resources: { request: '128Mi', limit: '128Mi' } }),
  // what the incident taught: was it detected, how fast, did the rest keep serving, did it recover
  expect: [
    detected(kernelOomKill({ task: 'kdrill-agent', limit: 'container' })).within('1m'),
    detected(containerOomKilled({ app: 'leak' })).within('1m'),
    holds(nodeNotReady()).throughout(),
    holds(serviceAnswers()).throughout(),
    recovers.within('2m'),
  ],
  // how long the fault stays at least (it stays longer while a detection is pending)
  hold: '30s',
});
`;
}

export async function run(argv: string[]): Promise<number> {
  const a = parseCommandArgs('init-drill', argv, USAGE, { dir: 'string' });
  if (a.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (a.positionals.length !== 1) a.usageError(a.positionals.length ? `one NAME, got ${a.positionals.length}` : 'name the drill: kdrill init-drill my-drill');
  const id = a.positionals[0]!.replace(/\.ts$/, '');
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) a.usageError(`NAME: expected kebab-case (my-drill), got "${a.positionals[0]}"`);
  const dir = resolve((a.values.dir as string | undefined) ?? '.');
  const file = join(dir, `${id}.ts`);
  if (existsSync(file)) throw new KdrillError(`init-drill: ${file} exists: not overwritten`, { hint: 'pick another NAME or --dir' });
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, drillTemplate(id), { flag: 'wx' });
  process.stdout.write(`${file}\n`);
  process.stderr.write(`run it: kdrill run ${file}\n`);
  return 0;
}
