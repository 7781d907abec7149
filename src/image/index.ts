import { execa } from '../util/exec.js';
import { KdrillError } from '../util/errors.js';
import { imageExists } from '../host/docker.js';
import { log } from '../util/log.js';
import { ensureNodeImage } from './node-image.js';
import { ensureAgentImage } from './components.js';
import { UPSTREAM_NODE_IMAGE } from './versions.js';

export type PullPolicy = 'auto' | 'never' | 'always';

export interface NodeImageChoice {
  ref: string;
  source: 'override' | 'upstream' | 'local';
  /** Why this one: printed so that the user always knows which image a drill ran on. */
  reason: string;
}

async function tryPull(ref: string): Promise<string | undefined> {
  const r = await execa('docker', ['pull', ref], { reject: false, timeout: 120_000 });
  if (r.exitCode === 0) return undefined;
  return (r.stderr || r.stdout || 'docker pull failed').trim().split('\n').pop();
}

/**
 * Which node image to run: KDRILL_NODE_IMAGE if set; otherwise upstream
 * kindest/node when it is here or can be pulled (as kind itself does); when it
 * cannot (offline, air-gapped), kdrill's own, built from the Go module proxy
 * and Debian's packages (cached: seconds when nothing changed).
 */
export async function resolveNodeImage(pull: PullPolicy = 'auto'): Promise<NodeImageChoice> {
  const override = process.env.KDRILL_NODE_IMAGE;
  if (override) return { ref: override, source: 'override', reason: 'KDRILL_NODE_IMAGE is set' };
  if (pull !== 'never') {
    if (await imageExists(UPSTREAM_NODE_IMAGE)) {
      return { ref: UPSTREAM_NODE_IMAGE, source: 'upstream', reason: 'upstream kindest/node is present locally' };
    }
    log.info(`pulling ${UPSTREAM_NODE_IMAGE.split('@')[0]} ...`);
    const err = await tryPull(UPSTREAM_NODE_IMAGE).catch((e: Error) => e.message);
    if (err === undefined) return { ref: UPSTREAM_NODE_IMAGE, source: 'upstream', reason: 'pulled upstream kindest/node' };
    if (pull === 'always') throw new KdrillError(`cannot pull ${UPSTREAM_NODE_IMAGE}: ${err}`, { hint: 'without a registry, use --pull never (kdrill builds the node image here)' });
    log.info(`cannot pull upstream kindest/node (${err}); using kdrill's locally built node image`);
  }
  const ref = await ensureNodeImage(log.step);
  return {
    ref,
    source: 'local',
    reason: pull === 'never' ? 'pulling disabled (--pull never): kdrill-built node image' : 'upstream not pullable here: kdrill-built node image',
  };
}

export { ensureAgentImage, ensureNodeImage };
