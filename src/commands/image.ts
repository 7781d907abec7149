import { ensureDocker, imageSize } from '../host/docker.js';
import { resolveNodeImage, ensureAgentImage } from '../image/index.js';
import { ensureSlowFs } from '../cluster/slowfs.js';
import { log } from '../util/log.js';
import { cachePath } from '../util/paths.js';
import { interruptProcess } from '../util/exec.js';
import { parseCommandArgs } from './args.js';
import { parsePull } from './pull.js';

const USAGE = `usage: kdrill image build [--pull auto|never|always]

Builds (or reuses, or pulls) the kind node image and kdrill's workload image.
  --pull auto    use upstream kindest/node if present or pullable, else build locally (default)
  --pull never   always use kdrill's locally built node image (offline / air-gapped)
  --pull always  require upstream kindest/node
Outputs are cached under ${cachePath()} (KDRILL_CACHE). The last line printed is the node image reference.
Ctrl-C stops the build and removes its build container.`;

export async function run(argv: string[]): Promise<number> {
  const a = parseCommandArgs('image', argv, USAGE, { pull: 'string' });
  if (a.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (a.positionals[0] !== 'build' || a.positionals.length > 1) a.usageError(a.positionals.length ? `unexpected "${a.positionals.join(' ')}": the subcommand is build` : 'name the subcommand: build');
  const pull = parsePull(a.values.pull, 'image');
  await ensureDocker();
  // \`on\`, never \`once\`: execa's signal-exit re-raises a signal it finds no other listener for, and node drops a
  // \`once\` listener before calling it, so the re-raise killed the build before its container was removed (measured)
  process.on('SIGINT', interruptProcess);
  process.on('SIGTERM', interruptProcess);
  const started = Date.now();
  const choice = await resolveNodeImage(pull);
  const agent = await log.step('kdrill agent image (echo server, client, leaker; FROM scratch)', ensureAgentImage);
  const slowfs = await log.step('kdrill-slowfs (FUSE fsync-delay layer for etcd data dirs)', ensureSlowFs);
  const mib = (await imageSize(choice.ref)) / 2 ** 20;
  log.info(`node image: ${choice.ref} (${choice.source}: ${choice.reason}; ${mib.toFixed(0)} MiB)`);
  log.info(`agent image: ${agent}`);
  log.info(`kdrill-slowfs: ${slowfs}`);
  log.info(`image build took ${((Date.now() - started) / 1000).toFixed(1)}s; cache: ${cachePath()}`);
  process.stdout.write(`${choice.ref}\n`);
  return 0;
}
