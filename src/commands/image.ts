import { parseArgs } from 'node:util';
import { ensureDocker, imageSize } from '../host/docker.js';
import { resolveNodeImage, ensureAgentImage, type PullPolicy } from '../image/index.js';
import { ensureSlowFs } from '../cluster/slowfs.js';
import { KdrillError } from '../util/errors.js';
import { log } from '../util/log.js';
import { cacheDir } from '../util/paths.js';

const USAGE = `usage: kdrill image build [--pull auto|never|always]

Builds (or reuses, or pulls) the kind node image and kdrill's workload image.
  --pull auto    use upstream kindest/node if present or pullable, else build locally (default)
  --pull never   always use kdrill's locally built node image (offline / air-gapped)
  --pull always  require upstream kindest/node
Outputs are cached under ${cacheDir()} (KDRILL_CACHE). The last line printed is the node image reference.`;

export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { pull: { type: 'string', default: 'auto' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals[0] !== 'build' || positionals.length > 1) throw new KdrillError(`expected \`kdrill image build\`\n${USAGE}`);
  const pull = values.pull as PullPolicy;
  if (!['auto', 'never', 'always'].includes(pull)) throw new KdrillError(`--pull: expected auto, never or always, got "${pull}"`);
  await ensureDocker();
  const started = Date.now();
  const choice = await resolveNodeImage(pull);
  const agent = await log.step('kdrill agent image (echo server, client, leaker; FROM scratch)', ensureAgentImage);
  const slowfs = await log.step('kdrill-slowfs (FUSE fsync-delay layer for etcd data dirs)', ensureSlowFs);
  const mib = (await imageSize(choice.ref)) / 2 ** 20;
  log.info(`node image: ${choice.ref} (${choice.source}: ${choice.reason}; ${mib.toFixed(0)} MiB)`);
  log.info(`agent image: ${agent}`);
  log.info(`kdrill-slowfs: ${slowfs}`);
  log.info(`image build took ${((Date.now() - started) / 1000).toFixed(1)}s; cache: ${cacheDir()}`);
  process.stdout.write(`${choice.ref}\n`);
  return 0;
}
