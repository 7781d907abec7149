import type { ExpectationResult, Timeline, Verdict } from '../expect/expectation.js';
import type { ProbeResult } from '../probes/probe.js';

/** What one drill produced: the verdict, why, and every instant and measurement behind it. */
export interface ScenarioReport {
  id: string;
  title: string;
  runId: string;
  verdict: Verdict;
  reasons: string[];
  target?: string;
  fault: {
    description: string;
    inEffect?: boolean;
    evidence?: string;
    subjects: string[];
    measurements: Record<string, number | string>;
  };
  timeline: Timeline;
  expectations: ExpectationResult[];
  probes: Record<string, ProbeResult>;
  /** Headline numbers read off the observations (leader changes, worst latencies, log lines). */
  observed: Record<string, number | string>;
  durationMs: number;
}
