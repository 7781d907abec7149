import type { Observation, ObservationSink } from './observation.js';
import type { Needs, Target } from '../targets/target.js';
import type { Journal } from '../journal.js';

/** What a watcher gets: the target it watches, where to put what it sees, and the run's journal (for what it creates). */
export interface SourceContext {
  target: Target;
  journal: Journal;
  runId: string;
  log: ObservationSink;
  abort: AbortSignal;
}

export interface Watcher {
  stop(): Promise<void>;
}

/**
 * A watcher that turns target state into observations (an etcd watch, a
 * docker events stream, a /metrics scraper). Sources with the same key are
 * started once per run and shared by every condition that needs them.
 */
export interface Source extends Needs {
  key: string;
  /**
   * How the source learns: 'event' sources carry the source's own time for
   * each observation (a log line's timestamp, a condition's
   * lastTransitionTime); 'poll' sources look every `periodMs`, and their
   * observations are dated when seen.
   */
  clock?: { kind: 'event' } | { kind: 'poll'; periodMs: number };
  start(ctx: SourceContext): Promise<Watcher>;
}

/** Which subjects the fault hit (resolved at injection: "the leader" becomes a member name). */
export interface Scope {
  faulty: ReadonlySet<string>;
}

/**
 * A condition over observations: `test` says whether an observation shows it
 * firing (true), shows it clear (false), or is about something else (undefined).
 * A level condition has a state at every instant (fsync p99 above 100ms); an
 * event condition only fires (a leader change, a log line) and never "clears".
 */
export interface Condition {
  name: string;
  kind: 'level' | 'event';
  sources: Source[];
  test(o: Observation, scope: Scope): boolean | undefined;
  /** For a level over a value: the threshold it compares with, in the observations' unit (reports say "measured X > threshold"). */
  threshold?: { value: number; unit: string };
}

/** Which members a condition looks at: the faulty ones, any member, or one by name. */
export type SubjectFilter = 'faulty' | 'any' | 'others' | string;

export function subjectMatches(filter: SubjectFilter, subject: string, scope: Scope): boolean {
  if (filter === 'any') return true;
  if (filter === 'faulty') return scope.faulty.has(subject);
  if (filter === 'others') return !scope.faulty.has(subject);
  return subject === filter;
}

/**
 * Either of several conditions of one kind, under its own name: fires at an
 * observation where any of them fires, is clear where one is clear and none
 * fires, has no opinion otherwise. Each (signal, subject) keeps its own state,
 * so a level "anyOf" is firing while any of its parts is. Mixing a level with
 * an event has no meaning (an event never clears) and is refused.
 */
export function anyOf(name: string, ...conditions: Condition[]): Condition {
  const kinds = new Set(conditions.map((c) => c.kind));
  if (conditions.length < 2 || kinds.size !== 1) {
    throw new Error(`anyOf("${name}"): needs two or more conditions of one kind, got ${conditions.map((c) => `${c.name} (${c.kind})`).join(', ') || 'none'}`);
  }
  return {
    name,
    kind: conditions[0]!.kind,
    sources: conditions.flatMap((c) => c.sources),
    test(o, scope) {
      let opinion: boolean | undefined;
      for (const c of conditions) {
        const t = c.test(o, scope);
        if (t === true) return true;
        if (t === false) opinion = false;
      }
      return opinion;
    },
  };
}
