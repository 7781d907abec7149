#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { describeError, KdrillError } from './util/errors.js';
import { checkEnvironment } from './util/env.js';

/**
 * kdrill's command line. Each command lives in src/commands/<name>.ts and
 * exports `run(argv): Promise<number>` (the process exit code: 0 pass,
 * 1 a drill failed, 2 invalid run or usage error).
 */
interface Command {
  summary: string;
  load: () => Promise<{ run(argv: string[]): Promise<number> }>;
}

const commands: Record<string, Command> = {
  image: { summary: 'image build: build (or pull) the kind node image and the images drills load', load: () => import('./commands/image.js') },
  cluster: { summary: 'cluster up|down|list: kdrill-owned kind clusters', load: () => import('./commands/cluster.js') },
  list: { summary: 'list [--dir DIR] [-o json]: the drills this build knows, or the scenario files in DIR', load: () => import('./commands/list.js') },
  run: { summary: 'run <id|file.ts...> [--json F] [--junit F] [--html F]: run drills; exit 0 pass, 1 fail, 2 invalid', load: () => import('./commands/run.js') },
  'init-drill': { summary: 'init-drill NAME [--dir DIR]: write a commented drill of your own (NAME.ts) that passes on kind', load: () => import('./commands/init-drill.js') },
  report: { summary: 'report RUN.jsonl... [--json F] [--junit F] [--html F]: render run records again', load: () => import('./commands/report.js') },
  clean: { summary: 'clean [--dry-run] [--force]: undo what killed runs left behind (replays their journals)', load: () => import('./commands/clean.js') },
  watch: { summary: 'watch [--kubeconfig F --context C | --cluster N] [-o json]: nodes NotReady with their pods, restarts, OOM kills, evictions (read-only)', load: () => import('./commands/watch.js') },
  smoke: { summary: 'smoke [--keep]: bring up a 1+1 cluster and prove Deployment → Service → client pod, DNS included', load: () => import('./commands/smoke.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'usage: kdrill <command> [options]',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'exit codes: 0 pass, 1 a drill failed, 2 invalid run or usage error',
    '`kdrill <command> --help` for a command; `kdrill --version`',
  ].join('\n');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`kdrill ${version()}\n`);
    return 0;
  }
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) throw new KdrillError(`unknown command "${name}"`, { hint: `one of ${Object.keys(commands).join(', ')} (kdrill --help)` });
  checkEnvironment();
  const mod = await cmd.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`kdrill: ${describeError(err)}\n`);
    if (process.env.KDRILL_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = err instanceof KdrillError ? err.exitCode : 2;
  },
);
