import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { KdrillError } from './errors.js';

/**
 * kdrill's environment variables, checked once when a command starts: a typo
 * there is one clear line, before anything is built, created or deleted.
 */
export function checkEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  for (const k of ['KDRILL_CACHE', 'KDRILL_STATE'] as const) {
    const v = env[k];
    if (v === undefined) continue;
    if (v.trim() === '') throw new KdrillError(`${k} is set but empty`, { hint: `unset it, or set it to a directory` });
    let st;
    try {
      st = statSync(v);
    } catch {
      continue; // created on first use
    }
    if (!st.isDirectory()) throw new KdrillError(`${k}=${v} is not a directory`, { hint: `point ${k} at a directory (kdrill creates it if missing)` });
  }
  const kind = env.KDRILL_KIND;
  if (kind !== undefined) {
    if (!isAbsolute(kind)) throw new KdrillError(`KDRILL_KIND=${kind} is not an absolute path`, { hint: 'point it at a kind v0.30.0 binary, or unset it to let kdrill build kind' });
    try {
      accessSync(kind, constants.X_OK);
      if (!statSync(kind).isFile()) throw new Error();
    } catch {
      throw new KdrillError(`KDRILL_KIND=${kind} is not an executable file`, { hint: 'point it at a kind v0.30.0 binary, or unset it to let kdrill build kind' });
    }
  }
  const img = env.KDRILL_NODE_IMAGE;
  if (img !== undefined && !/^[a-z0-9][a-z0-9._\-/:@]*$/i.test(img)) {
    throw new KdrillError(`KDRILL_NODE_IMAGE=${JSON.stringify(img)} is not an image reference`, { hint: 'e.g. kindest/node:v1.34.0, or unset it' });
  }
  const mirror = env.KDRILL_DEBIAN_MIRROR;
  if (mirror !== undefined && !/^https?:\/\/\S+$/.test(mirror)) {
    throw new KdrillError(`KDRILL_DEBIAN_MIRROR=${JSON.stringify(mirror)} is not an http(s) URL`, { hint: 'e.g. the mirror in /etc/apt/sources.list, or unset it to use that' });
  }
  const pull = env.KDRILL_E2E_PULL;
  if (pull !== undefined && !['auto', 'never', 'always'].includes(pull)) {
    throw new KdrillError(`KDRILL_E2E_PULL=${JSON.stringify(pull)}: expected auto, never or always`);
  }
}
