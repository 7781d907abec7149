import type { Observation } from '../signals/observation.js';
import type { Condition, Scope } from '../signals/signal.js';

/** First observation in [from, to] where the condition fires. */
export function firstFiring(obs: readonly Observation[], c: Condition, scope: Scope, from: number, to: number): Observation | undefined {
  return obs.find((o) => o.at >= from && o.at <= to && c.test(o, scope) === true);
}

/**
 * The first instant at or after `from` at which every condition is clear:
 * for each, every (signal, subject) it has an opinion about last said "not
 * firing", and it has said so at least once since `from` (fresh evidence, not
 * silence). Event conditions never fire again once they stop, so they are only
 * clear if nothing fired since `from`. Observations sharing an instant (one
 * scrape) are taken together. Undefined if that never happened.
 */
export function recoveryInstant(obs: readonly Observation[], conditions: Condition[], scope: Scope, from: number): number | undefined {
  const firing = conditions.map(() => new Map<string, boolean>());
  const fresh = conditions.map((c) => c.kind === 'event');
  const lastEvent = conditions.map(() => -Infinity);
  const clear = (): boolean =>
    conditions.every((c, i) => (c.kind === 'event' ? lastEvent[i]! < from : fresh[i]! && ![...firing[i]!.values()].some(Boolean)));
  for (let k = 0; k < obs.length; k++) {
    const o = obs[k]!;
    conditions.forEach((c, i) => {
      const t = c.test(o, scope);
      if (t === undefined) return;
      if (c.kind === 'event') {
        if (t) lastEvent[i] = o.at;
        return;
      }
      firing[i]!.set(`${o.signal}|${o.subject}`, t);
      if (o.at >= from && !t) fresh[i] = true;
    });
    // judge an instant only once everything observed at that instant is in (one scrape = several observations)
    if (obs[k + 1]?.at === o.at) continue;
    if (o.at >= from && clear()) return o.at;
  }
  return undefined;
}

/**
 * Why recovery has not come: for each condition, what keeps it from being
 * clear since `from` (a (signal, subject) whose last word was "firing", no
 * fresh "clear" since `from`, or an event that fired since `from`).
 */
export function stillFiring(obs: readonly Observation[], conditions: Condition[], scope: Scope, from: number): string[] {
  const out: string[] = [];
  for (const c of conditions) {
    const last = new Map<string, { t: boolean; o: Observation }>();
    let fresh = false;
    let event: Observation | undefined;
    for (const o of obs) {
      const t = c.test(o, scope);
      if (t === undefined) continue;
      if (c.kind === 'event') {
        if (t && o.at >= from) event = o;
        continue;
      }
      last.set(`${o.signal}|${o.subject}`, { t, o });
      if (o.at >= from && !t) fresh = true;
    }
    if (c.kind === 'event') {
      if (event) out.push(`${c.name} (fired at +${((event.at - from) / 1000).toFixed(1)}s: ${event.subject})`);
      continue;
    }
    const firing = [...last.values()].filter((x) => x.t).map((x) => `${x.o.subject}: ${x.o.text ?? x.o.value ?? ''}`);
    if (firing.length) out.push(`${c.name} (${firing.join('; ')})`);
    else if (!fresh) out.push(`${c.name} (no observation since the revert)`);
  }
  return out;
}
