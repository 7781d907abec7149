import type { Capability, TargetProvider } from './targets/target.js';
import { CAPABILITY_WORDS, missingCapabilities } from './targets/target.js';
import type { Fault } from './faults/fault.js';
import type { Expectation } from './expect/expectation.js';
import type { Condition } from './signals/signal.js';
import type { Probe } from './probes/probe.js';
import { parseDuration, type Duration } from './util/duration.js';
import { KdrillError } from './util/errors.js';

/** Where the incident a drill replays was published, as the write-up names itself. */
export interface Citation {
  title: string;
  /** as the write-up names them; omitted when it names nobody */
  author?: string;
  /** the site or publication */
  publisher?: string;
  url: string;
}

/**
 * A remediation step the postmortem took (or should have): an action applied
 * after the fault, on top of it, and judged on its own over the time from
 * that action to the next one. Actions are faults: journaled, verified in
 * effect, reverted at the end with everything else.
 */
export interface RemediationStep {
  /** in the postmortem's words: "delete the leftover config on every node but one" */
  title: string;
  action: Fault;
  expect: Expectation[];
  /** minimum time in this step (default 10s); it stays longer while its detections are pending */
  hold?: Duration;
}

/** A drill, written the way its incident reads. */
export interface ScenarioSpec {
  /** kebab-case id used on the command line. */
  id: string;
  /** One line: what this drill replays. */
  title: string;
  /** The incident in its own words. */
  incident: string;
  /** The postmortem it replays. */
  source?: Citation;
  /** How the system under drill is provisioned (etcd in testcontainers, a kind cluster, an existing cluster). */
  target: TargetProvider;
  /** Conditions that mean "unhealthy": none may fire at baseline, and all must clear to recover. */
  steady?: Condition[];
  fault: Fault;
  expect: Expectation[];
  /** The remediation replayed step by step after the fault, each judged on its own. */
  remediation?: RemediationStep[];
  /** How long the steady state must hold, calm, before the fault (default 10s). */
  baseline?: Duration;
  /** How long to wait for such a calm baseline before the drill is invalid (default 3m). */
  baselineDeadline?: Duration;
  /** Minimum time the fault stays in place (default 10s); it stays longer while detections are pending. */
  hold?: Duration;
}

export interface Scenario extends Omit<ScenarioSpec, 'baseline' | 'baselineDeadline' | 'hold' | 'remediation'> {
  remediation: (Omit<RemediationStep, 'hold'> & { holdMs: number })[];
  baselineMs: number;
  baselineDeadlineMs: number;
  holdMs: number;
  /** Everything the scenario needs from its target (checked against the provider here). */
  needs: Capability[];
}

function bad(id: string, field: string, msg: string): never {
  throw new KdrillError(`scenario ${id ? `"${id}"` : '(no id)'}: field "${field}": ${msg}`, {
    hint: 'see scenarios/etcd-slow-follower.ts for a complete example',
  });
}

function isFn(x: unknown): boolean {
  return typeof x === 'function';
}

function conditionNeeds(c: Condition): Capability[] {
  return c.sources.flatMap((s) => [...(s.needs ?? [])]);
}

function probeNeeds(p: Probe): Capability[] {
  return [...p.needs, ...(p.sources ?? []).flatMap((s) => [...s.needs])];
}

/** Checks a scenario and fills defaults; a malformed one fails here, naming the field; so does one its target cannot serve. */
export function defineScenario(spec: ScenarioSpec): Scenario {
  const s = spec as Partial<ScenarioSpec>;
  const id = typeof s?.id === 'string' ? s.id : '';
  if (!s || typeof s !== 'object') bad('', '(scenario)', 'expected an object made with defineScenario({...})');
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) bad(id, 'id', `expected a kebab-case string, got ${JSON.stringify(s.id)}`);
  for (const f of ['title', 'incident'] as const) {
    if (typeof s[f] !== 'string' || !s[f]!.trim()) bad(id, f, 'expected a non-empty string');
  }
  if (s.source !== undefined) {
    const c = s.source as Partial<Citation>;
    if (!c || typeof c !== 'object') bad(id, 'source', 'expected { title, author?, publisher?, url }');
    if (typeof c.title !== 'string' || !c.title.trim()) bad(id, 'source.title', 'expected a non-empty string');
    if (typeof c.url !== 'string' || !/^https?:\/\/\S+$/.test(c.url)) bad(id, 'source.url', `expected an http(s) URL, got ${JSON.stringify(c.url)}`);
    for (const f of ['author', 'publisher'] as const) if (c[f] !== undefined && typeof c[f] !== 'string') bad(id, `source.${f}`, 'expected a string');
  }
  if (!s.target || !isFn(s.target.provision) || !(s.target.provides instanceof Set)) bad(id, 'target', 'expected a target provider (e.g. kindCluster(SINGLE_CONTROL_PLANE))');
  if (!s.fault || !isFn(s.fault.inject) || !Array.isArray(s.fault.needs)) bad(id, 'fault', 'expected a fault (e.g. throttleDisk({ member: "follower", fsync: "800ms" }))');
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
  const dur = (field: 'baseline' | 'baselineDeadline' | 'hold', dflt: string): number => {
    try {
      return parseDuration(s[field] ?? dflt, field);
    } catch (e) {
      return bad(id, field, (e as Error).message.replace(/^\w+: /, ''));
    }
  };
  const remediation = s.remediation ?? [];
  if (!Array.isArray(remediation)) bad(id, 'remediation', 'expected a list of steps { title, action, expect }');
  remediation.forEach((st, i) => {
    if (!st || typeof st.title !== 'string' || !st.title.trim()) bad(id, `remediation[${i}].title`, 'expected a non-empty string');
    if (!st.action || !isFn(st.action.inject) || !Array.isArray(st.action.needs)) bad(id, `remediation[${i}].action`, 'expected an action (a fault, e.g. removeCniConfig(...))');
    if (!Array.isArray(st.expect) || !st.expect.length) bad(id, `remediation[${i}].expect`, 'expected a non-empty list of expectations');
    st.expect.forEach((e, j) => {
      if (!e || !isFn(e.judge) || (e.kind !== 'detected' && e.kind !== 'holds')) bad(id, `remediation[${i}].expect[${j}]`, 'expected detected(...).within(T) or holds(condition).throughout()');
      if (e.probes.length) bad(id, `remediation[${i}].expect[${j}]`, 'a step is judged over conditions only (a probe is judged over the whole fault)');
    });
  });
  // what the target cannot serve is refused now, naming the part that needs it
  const provides = s.target.provides;
  const check = (field: string, what: string, needs: Capability[]): void => {
    const missing = missingCapabilities(needs, provides);
    if (missing.length) {
      bad(id, field, `${what} needs ${missing.map((c) => `${CAPABILITY_WORDS[c]} (${c})`).join(', ')}, which ${s.target!.name} does not provide`);
    }
  };
  check('fault', s.fault.name, [...s.fault.needs]);
  (s.steady ?? []).forEach((c, i) => check(`steady[${i}]`, c.name, conditionNeeds(c)));
  s.expect.forEach((e, i) => {
    for (const c of e.conditions) check(`expect[${i}]`, c.name, conditionNeeds(c));
    for (const p of e.probes) check(`expect[${i}]`, p.name, probeNeeds(p));
  });
  remediation.forEach((st, i) => {
    check(`remediation[${i}].action`, st.action.name, [...st.action.needs]);
    st.expect.forEach((e) => e.conditions.forEach((c) => check(`remediation[${i}].expect`, c.name, conditionNeeds(c))));
  });
  const needs = [
    ...new Set([
      ...s.fault.needs,
      ...remediation.flatMap((st) => [...st.action.needs, ...st.expect.flatMap((e) => e.conditions.flatMap(conditionNeeds))]),
      ...(s.steady ?? []).flatMap(conditionNeeds),
      ...s.expect.flatMap((e) => [...e.conditions.flatMap(conditionNeeds), ...e.probes.flatMap(probeNeeds)]),
    ]),
  ];
  const { baseline: _b, baselineDeadline: _d, hold: _h, remediation: _r, ...rest } = s as ScenarioSpec;
  const baselineMs = dur('baseline', '10s');
  const baselineDeadlineMs = dur('baselineDeadline', '3m');
  if (baselineDeadlineMs < baselineMs) bad(id, 'baselineDeadline', `must be at least the baseline (${baselineMs} ms)`);
  const steps = remediation.map((st, i) => {
    let holdMs: number;
    try {
      holdMs = parseDuration(st.hold ?? '10s', 'hold');
    } catch (e) {
      return bad(id, `remediation[${i}].hold`, (e as Error).message.replace(/^\w+: /, ''));
    }
    const { hold: _x, ...step } = st;
    return { ...step, holdMs };
  });
  const scenario: Scenario = { ...rest, remediation: steps, baselineMs, baselineDeadlineMs, holdMs: dur('hold', '10s'), needs };
  // which copy of kdrill made it: a scenario file that imports another installed kdrill than the one running it
  // would get a second module graph (a second cluster pool, journal registry, ...), and is refused by the loader
  Object.defineProperty(scenario, MADE_BY, { value: import.meta.url, enumerable: false });
  return scenario;
}

/** Where the kdrill that defined a scenario lives (its scenario.js URL); undefined if not made by defineScenario. */
export const MADE_BY = Symbol.for('kdrill.scenario.madeBy');
export function madeBy(s: unknown): string | undefined {
  return s && typeof s === 'object' ? ((s as Record<symbol, unknown>)[MADE_BY] as string | undefined) : undefined;
}
export const THIS_KDRILL = import.meta.url;
