import type { Observation } from '../signals/observation.js';
import type { Condition, Scope } from '../signals/signal.js';
import { formatDuration } from '../util/duration.js';

/** Why a baseline window broke: the condition and the observation that fired. */
export interface CalmBreak {
  condition: Condition;
  observation: Observation;
}

/** The last observation in [from, to] at which any of `conditions` fires (what restarts a calm window). */
export function lastBreak(obs: readonly Observation[], conditions: readonly Condition[], scope: Scope, from: number, to: number): CalmBreak | undefined {
  for (let i = obs.length - 1; i >= 0; i--) {
    const o = obs[i]!;
    if (o.at > to) continue;
    if (o.at < from) break;
    for (const c of conditions) if (c.test(o, scope) === true) return { condition: c, observation: o };
  }
  return undefined;
}

/** Steady conditions with no observation saying "clear" in [from, to]: their watchers have not spoken (yet). */
export function unobserved(obs: readonly Observation[], conditions: readonly Condition[], scope: Scope, from: number, to: number): Condition[] {
  return conditions.filter((c) => !obs.some((o) => o.at >= from && o.at <= to && c.test(o, scope) === false));
}

/** "WAL fsync p99 > 100ms on faulty (kdrill-x-control-plane: measured 125 ms, threshold 100 ms)". */
export function describeBreak(b: CalmBreak): string {
  const o = b.observation;
  const t = b.condition.threshold;
  const measured =
    o.value !== undefined && t ? `measured ${Math.round(o.value)} ${t.unit}, threshold ${Math.round(t.value)} ${t.unit}` : (o.text ?? (o.value !== undefined ? String(Math.round(o.value)) : o.signal));
  return `${b.condition.name} (${o.subject}: ${measured})`;
}

export interface CalmState {
  /** where the current calm window starts */
  from: number;
  /** the longest calm stretch seen before a break */
  longestMs: number;
  /** every break, in order */
  breaks: CalmBreak[];
}

/**
 * Advances a calm-window search to `now`: a break moves the window past it.
 * Pure: the runner calls it on every observation and every second.
 */
export function advanceCalm(state: CalmState, obs: readonly Observation[], conditions: readonly Condition[], scope: Scope, now: number): CalmState {
  const b = lastBreak(obs, conditions, scope, state.from, now);
  if (!b) return state;
  return { from: b.observation.at + 1, longestMs: Math.max(state.longestMs, b.observation.at - state.from), breaks: [...state.breaks, b] };
}

/** The invalid reason when no calm window came before the deadline. */
export function noCalmReason(state: CalmState, windowMs: number, deadlineMs: number, now: number, silent: Condition[]): string {
  const longest = Math.max(state.longestMs, now - state.from);
  const last = state.breaks[state.breaks.length - 1];
  const why = last
    ? `the last break: ${describeBreak(last)} at ${new Date(last.observation.at).toISOString()} (${state.breaks.length} break(s) in all)`
    : `no observation for ${silent.map((c) => c.name).join(', ')}: its watcher sees nothing`;
  return `baseline: no calm ${formatDuration(windowMs)} within ${formatDuration(deadlineMs)}: ${why}; longest calm ${formatDuration(longest)}`;
}
