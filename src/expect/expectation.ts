import type { Observation } from '../signals/observation.js';
import type { Condition, Scope } from '../signals/signal.js';
import type { Probe, ProbeResult } from '../probes/probe.js';

export type Verdict = 'pass' | 'fail' | 'invalid';

/** The instants of a run (epoch ms); later ones are missing when the run stopped before them. */
export interface Timeline {
  baselineFrom: number;
  injectedAt?: number;
  verifiedAt?: number;
  revertedAt?: number;
  /**
   * Remediation steps ran from remediatedAt to remediatedUntil: the fault's own
   * expectations are not judged over them (a step may disrupt on purpose),
   * each step's are judged over its own window.
   */
  remediatedAt?: number;
  remediatedUntil?: number;
  /** The instant the system was back to steady state after the revert (see recoveryInstant). */
  recoveredAt?: number;
  endAt: number;
}

export interface JudgeInput {
  observations: readonly Observation[];
  timeline: Timeline;
  scope: Scope;
  probes: Readonly<Record<string, ProbeResult>>;
}

export interface ExpectationResult {
  name: string;
  verdict: Verdict;
  injectedAt?: number;
  detectedAt?: number;
  recoveredAt?: number;
  /** Detection latency: detectedAt − injectedAt (detected expectations), by the source's own clock where it has one. */
  latencyMs?: number;
  /** When kdrill saw the detecting observation: seenAt − detectedAt is kdrill's own delay (for sources with their own timestamps). */
  seenAt?: number;
  /** The watcher that saw it (its key in the run record's sources: how it learns, its own timestamps or a poll period). */
  source?: string;
  /** Recovery time: recoveredAt − revertedAt (recovers expectations). */
  recoveryMs?: number;
  detail: string;
}

/** One line of a scenario's `expect`: pure — judged from observations and the timeline alone. */
export interface Expectation {
  kind: 'detected' | 'holds' | 'recovers';
  name: string;
  /** Conditions whose sources the runner must start. */
  conditions: Condition[];
  /** Probes the runner must start and verify after recovery. */
  probes: Probe[];
  /** detected(): how long the runner keeps the fault to give it its chance; recovers(): the recovery deadline. */
  withinMs?: number;
  judge(input: JudgeInput): ExpectationResult;
}
