import { execa as unbound } from 'execa';

/**
 * The process's interruption (Ctrl-C, SIGTERM): long steps that are not part
 * of a run's own abort (the node image build, go builds, debootstrap) are
 * stopped by it. Cleanup must not use `execa` from here (it would be
 * cancelled at once): it uses plain execa.
 */
const ctl = new AbortController();
export const interruptSignal: AbortSignal = ctl.signal;

export function interruptProcess(): void {
  ctl.abort();
}

/** execa whose commands are stopped (SIGTERM) when the process is interrupted. */
export const execa = unbound({ cancelSignal: interruptSignal });
