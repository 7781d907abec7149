import type { ExpectationResult, Timeline, Verdict } from '../expect/expectation.js';
import type { ProbeResult } from '../probes/probe.js';
import type { Observation } from '../signals/observation.js';
import type { Source } from '../signals/signal.js';
import type { Citation } from '../scenario.js';

/**
 * The run record: everything one drill did and saw, in order. The runner
 * writes it as JSON Lines while it runs (one event per line: a killed run
 * leaves a readable partial record) and every view — text, JSON, JUnit, HTML
 * — is rendered from it, during the run or afterwards (`kdrill report`).
 * Bump RECORD_VERSION on a breaking change to the events below.
 */
export const RECORD_VERSION = 1;

export type Phase = 'provision' | 'baseline' | 'inject' | 'observe' | 'remediate' | 'revert' | 'recover' | 'verify' | 'cleanup' | 'done';

export type SourceClock = NonNullable<Source['clock']>;

export interface FaultRecord {
  name?: string;
  description: string;
  inEffect?: boolean;
  evidence?: string;
  subjects: string[];
  measurements: Record<string, number | string>;
}

/** A remediation step as it ran: when it began and ended, and what its action did. */
export interface StepRecord {
  index: number;
  title: string;
  startedAt: number;
  verifiedAt?: number;
  endedAt?: number;
  inEffect?: boolean;
  evidence?: string;
  subjects: string[];
}

/** One line of the JSON Lines record. */
export type RunEvent =
  | {
      e: 'run';
      v: typeof RECORD_VERSION;
      runId: string;
      at: number;
      scenario: { id: string; title: string; incident: string; source?: Citation };
      target: string;
      fault: string;
      /** the fault's name (throttleDisk, cniLeftoverConfig, ...) */
      faultName?: string;
      expectations: { name: string; kind: string; withinMs?: number }[];
    }
  | { e: 'phase'; at: number; phase: Phase; note?: string }
  | { e: 'note'; at: number; text: string }
  | { e: 'source'; key: string; clock?: SourceClock }
  | ({ e: 'obs' } & Observation)
  | { e: 'target'; description: string }
  | { e: 'timeline'; at: number; field: keyof Timeline; value: number }
  | ({ e: 'fault' } & FaultRecord)
  | { e: 'probe'; name: string; result: ProbeResult }
  | { e: 'invalid'; reason: string }
  | { e: 'scope'; faulty: string[] }
  | ({ e: 'step' } & StepRecord)
  | { e: 'result'; result: ExpectationResult }
  | { e: 'end'; at: number; verdict: Verdict; reasons: string[]; observed: Record<string, number | string> };

/** A run record, whole (or as far as a killed run got: `complete` false). */
export interface RunRecord {
  v: number;
  runId: string;
  startedAt: number;
  scenario: { id: string; title: string; incident: string; source?: Citation };
  /** the provider, and what it provisioned */
  target: { provider: string; description?: string };
  fault: FaultRecord;
  expectations: { name: string; kind: string; withinMs?: number }[];
  sources: { key: string; clock?: SourceClock }[];
  phases: { phase: Phase; at: number; note?: string }[];
  notes: { at: number; text: string }[];
  observations: Observation[];
  timeline: Timeline;
  /** the subjects the fault hit */
  faulty: string[];
  /** the remediation steps that ran (the latest word on each) */
  steps: StepRecord[];
  probes: Record<string, ProbeResult>;
  /** the run's own reasons to be invalid (baseline, fault not in effect, cleanup, interrupted) */
  invalid: string[];
  results: ExpectationResult[];
  verdict?: Verdict;
  reasons: string[];
  /** headline numbers read off the observations */
  observed: Record<string, number | string>;
  durationMs?: number;
  complete: boolean;
}

export function emptyRecord(): RunRecord {
  return {
    v: RECORD_VERSION,
    runId: '',
    startedAt: 0,
    scenario: { id: '', title: '', incident: '' },
    target: { provider: '' },
    fault: { description: '', subjects: [], measurements: {} },
    expectations: [],
    sources: [],
    phases: [],
    notes: [],
    observations: [],
    timeline: { baselineFrom: 0, endAt: 0 },
    faulty: [],
    steps: [],
    probes: {},
    invalid: [],
    results: [],
    reasons: [],
    observed: {},
    complete: false,
  };
}

/** Folds one event into a record (how the recorder keeps its in-memory copy and how a file is read back). */
export function applyEvent(r: RunRecord, ev: RunEvent): void {
  switch (ev.e) {
    case 'run':
      r.v = ev.v;
      r.runId = ev.runId;
      r.startedAt = ev.at;
      r.scenario = ev.scenario;
      r.target.provider = ev.target;
      r.fault.description = ev.fault;
      if (ev.faultName) r.fault.name = ev.faultName;
      r.expectations = ev.expectations;
      r.timeline.baselineFrom = ev.at;
      r.timeline.endAt = ev.at;
      return;
    case 'phase':
      r.phases.push({ phase: ev.phase, at: ev.at, ...(ev.note ? { note: ev.note } : {}) });
      r.timeline.endAt = Math.max(r.timeline.endAt, ev.at);
      return;
    case 'note':
      r.notes.push({ at: ev.at, text: ev.text });
      return;
    case 'source':
      r.sources.push({ key: ev.key, ...(ev.clock ? { clock: ev.clock } : {}) });
      return;
    case 'obs': {
      const { e: _e, ...o } = ev;
      // keep time order (a log line's own time may be a little earlier than the last poll's)
      let i = r.observations.length;
      while (i > 0 && r.observations[i - 1]!.at > o.at) i--;
      r.observations.splice(i, 0, o);
      return;
    }
    case 'target':
      r.target.description = ev.description;
      return;
    case 'timeline':
      (r.timeline as unknown as Record<string, number>)[ev.field] = ev.value;
      return;
    case 'fault': {
      const { e: _e, ...f } = ev;
      r.fault = { ...f, name: f.name ?? r.fault.name };
      return;
    }
    case 'probe':
      r.probes[ev.name] = ev.result;
      return;
    case 'invalid':
      if (!r.invalid.includes(ev.reason)) r.invalid.push(ev.reason);
      return;
    case 'scope':
      r.faulty = ev.faulty;
      return;
    case 'step': {
      const { e: _e, ...st } = ev;
      r.steps[st.index] = st;
      return;
    }
    case 'result':
      r.results.push(ev.result);
      return;
    case 'end':
      r.verdict = ev.verdict;
      r.reasons = ev.reasons;
      r.observed = ev.observed;
      r.timeline.endAt = ev.at;
      r.durationMs = ev.at - r.startedAt;
      r.complete = true;
      return;
  }
}
