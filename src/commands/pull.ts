import type { PullPolicy } from '../image/index.js';
import { KdrillError } from '../util/errors.js';

/** --pull auto|never|always (default auto); anything else is a one-line error, not a silent "auto". */
export function parsePull(v: string | boolean | undefined, command: string): PullPolicy {
  if (v === undefined) return 'auto';
  if (v === 'auto' || v === 'never' || v === 'always') return v;
  throw new KdrillError(`${command}: --pull: expected auto, never or always, got "${v}"`, { hint: 'auto: upstream kindest/node when pullable, else built here; never: always built here' });
}
