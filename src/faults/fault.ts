import type { Journal } from '../journal.js';
import type { ObservationLog } from '../signals/observation.js';
import type { Needs, Target } from '../targets/target.js';

export interface FaultContext {
  target: Target;
  journal: Journal;
  runId: string;
  observations: ObservationLog;
  log: (msg: string) => void;
  abort: AbortSignal;
}

/** What an injected fault reports: when, whether it measurably took effect, and how to take it back. */
export interface Injection {
  /** Epoch ms at which the change was applied (detection latency counts from here). */
  injectedAt: number;
  /** The fault was measured to be in effect. False makes the run invalid, never a pass. */
  inEffect: boolean;
  /** Epoch ms at which it was measured to be in effect. */
  verifiedAt?: number;
  /** What was measured, in words (why it is, or is not, in effect). */
  evidence: string;
  /** Subjects the fault hit (member or node names): conditions on "faulty" look at these. */
  subjects: string[];
  measurements: Record<string, number | string>;
  /** Takes the fault back; idempotent. */
  revert(): Promise<void>;
}

/**
 * A fault: declares what it needs from the target, composes reversible
 * changes (src/changes/: each journaled before it is made) and verifies by
 * measurement that it is in effect. A fault that throws after journaling
 * leaves its records in the journal, which the runner replays.
 */
export interface Fault extends Needs {
  name: string;
  describe(): string;
  inject(ctx: FaultContext): Promise<Injection>;
}
