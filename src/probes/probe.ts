import type { ObservationLog } from '../signals/observation.js';

export interface ProbeContext<T> {
  target: T;
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
export interface Probe<T> {
  name: string;
  describe(): string;
  start(ctx: ProbeContext<T>): Promise<RunningProbe>;
}
