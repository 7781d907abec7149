import type { ObservationLog } from '../signals/observation.js';
import type { Source } from '../signals/signal.js';
import type { Needs, Target } from '../targets/target.js';
import type { Journal } from '../journal.js';

export interface ProbeContext {
  target: Target;
  journal: Journal;
  runId: string;
  observations: ObservationLog;
  abort: AbortSignal;
}

/** The fault window a probe's verdict is about. */
export interface FaultWindow {
  from: number;
  to: number;
}

export interface ProbeResult {
  ok: boolean;
  /** False when the probe saw too little to judge (e.g. no write acknowledged during the fault). */
  conclusive: boolean;
  detail: string;
  counts: Record<string, number>;
}

export interface RunningProbe {
  /** Stops the probe's own activity (writers). */
  stop(): Promise<void>;
  /** Checks, after recovery, what the probe promised. */
  verify(window: FaultWindow): Promise<ProbeResult>;
}

/** Something that must hold through the fault (checked by holds(probe).throughout()). */
export interface Probe extends Needs {
  name: string;
  describe(): string;
  /** Watchers whose observations the probe judges by (the runner starts them with the others). */
  sources?: Source[];
  start(ctx: ProbeContext): Promise<RunningProbe>;
}
