import type { Target, TargetProvider } from './targets/target.js';
import type { Fault } from './faults/fault.js';
import type { Expectation } from './expect/expectation.js';
import type { Condition } from './signals/signal.js';
import { parseDuration, type Duration } from './util/duration.js';
import { KdrillError } from './util/errors.js';

/** A drill, written the way its incident reads. */
export interface ScenarioSpec<T extends Target> {
  /** kebab-case id used on the command line. */
  id: string;
  /** One line: what this drill replays. */
  title: string;
  /** The incident in its own words. */
  incident: string;
  /** Where the incident is written up (file or URL). */
  source?: string;
  /** How the system under drill is provisioned (etcd in testcontainers, kind, an existing cluster). */
  target: TargetProvider<T>;
  /** Conditions that mean "unhealthy": none may fire at baseline, and all must clear to recover. */
  steady?: Condition<T>[];
  fault: Fault<T>;
  expect: Expectation<T>[];
  /** How long to watch the steady state before injecting (default 5s). */
  baseline?: Duration;
  /** Minimum time the fault stays in place (default 10s); it stays longer while detections are pending. */
  hold?: Duration;
}

export interface Scenario<T extends Target = Target> extends Omit<ScenarioSpec<T>, 'baseline' | 'hold'> {
  baselineMs: number;
  holdMs: number;
}

function bad(id: string, field: string, msg: string): never {
  throw new KdrillError(`scenario ${id ? `"${id}"` : '(no id)'}: field "${field}": ${msg}`, {
    hint: 'see scenarios/etcd-slow-follower.ts for a complete example',
  });
}

function isFn(x: unknown): boolean {
  return typeof x === 'function';
}

/** Checks a scenario and fills defaults; a malformed one fails here, naming the field. */
export function defineScenario<T extends Target>(spec: ScenarioSpec<T>): Scenario<T> {
  const s = spec as Partial<ScenarioSpec<T>>;
  const id = typeof s.id === 'string' ? s.id : '';
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) bad(id, 'id', `expected a kebab-case string, got ${JSON.stringify(s.id)}`);
  for (const f of ['title', 'incident'] as const) {
    if (typeof s[f] !== 'string' || !s[f]!.trim()) bad(id, f, 'expected a non-empty string');
  }
  if (s.source !== undefined && typeof s.source !== 'string') bad(id, 'source', 'expected a string');
  if (!s.target || !isFn(s.target.provision)) bad(id, 'target', 'expected a target provider (e.g. etcdContainers())');
  if (!s.fault || !isFn(s.fault.inject)) bad(id, 'fault', 'expected a fault (e.g. throttleDisk({ member: "follower", fsync: "800ms" }))');
  if (!Array.isArray(s.expect) || s.expect.length === 0) bad(id, 'expect', 'expected a non-empty list of expectations');
  s.expect.forEach((e, i) => {
    if (!e || !isFn(e.judge) || !['detected', 'holds', 'recovers'].includes(e.kind)) {
      bad(id, `expect[${i}]`, 'expected detected(...).within(T), holds(...).throughout() or recovers.within(T)');
    }
  });
  if (s.expect.filter((e) => e.kind === 'recovers').length > 1) bad(id, 'expect', 'at most one recovers.within(T)');
  if (s.steady !== undefined) {
    if (!Array.isArray(s.steady)) bad(id, 'steady', 'expected a list of conditions');
    s.steady.forEach((c, i) => {
      if (!c || !isFn(c.test) || !Array.isArray(c.sources)) bad(id, `steady[${i}]`, 'expected a condition (e.g. memberUnhealthy())');
    });
  }
  const dur = (field: 'baseline' | 'hold', dflt: string): number => {
    try {
      return parseDuration(s[field] ?? dflt, field);
    } catch (e) {
      return bad(id, field, (e as Error).message.replace(/^\w+: /, ''));
    }
  };
  const { baseline: _b, hold: _h, ...rest } = s as ScenarioSpec<T>;
  return { ...rest, baselineMs: dur('baseline', '5s'), holdMs: dur('hold', '10s') };
}
