import { randomBytes } from 'node:crypto';
import type { Scenario } from './scenario.js';
import type { Target } from './targets/target.js';
import type { Injection } from './faults/fault.js';
import type { Expectation, ExpectationResult, Timeline } from './expect/expectation.js';
import type { Condition, Scope, Source, Watcher } from './signals/signal.js';
import type { Probe, ProbeResult, RunningProbe } from './probes/probe.js';
import type { ScenarioReport } from './report/report.js';
import { Journal } from './journal.js';
import { ObservationLog } from './signals/observation.js';
import { firstFiring, recoveryInstant, stillFiring } from './expect/condition-state.js';
import { scenarioVerdict } from './expect/verdict.js';
import { observedSummary } from './report/observed-summary.js';
import { formatDuration } from './util/duration.js';
import { sleep } from './util/sleep.js';
import { describeError } from './util/errors.js';

export type Phase = 'provision' | 'baseline' | 'inject' | 'observe' | 'revert' | 'recover' | 'verify' | 'cleanup' | 'done';

export interface RunOptions {
  /** Progress: phase changes and notes (the CLI renders them live on a TTY, as lines in CI). */
  onPhase?: (phase: Phase, note?: string) => void;
  onNote?: (msg: string) => void;
  /** How long recovery may take before giving up (default: the recovers expectation's T, else 60s). */
  recoverTimeoutMs?: number;
  /** Set by the CLI: cancels the run (SIGINT/SIGTERM); the run reverts everything and is invalid. */
  abort?: AbortSignal;
  /** Receives the journal as soon as it exists (the CLI's signal handler replays it). */
  onJournal?: (j: Journal) => void;
}

function newRunId(id: string): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `${id}-${t}-${randomBytes(2).toString('hex')}`;
}

/** Resolves when `done()` holds — re-checked on every observation and every second — or at `deadline`. */
function until(log: ObservationLog, done: () => boolean, deadline: number, abort: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (done()) finish(true);
      else if (Date.now() >= deadline || abort.aborted) finish(false);
    };
    const finish = (v: boolean): void => {
      clearInterval(tick);
      unsub();
      abort.removeEventListener('abort', check);
      resolve(v);
    };
    const tick = setInterval(check, 1000);
    const unsub = log.subscribe(check);
    abort.addEventListener('abort', check);
    check();
  });
}


/**
 * One drill: provision → baseline (steady state must hold) → inject (journal,
 * apply, verify in effect) → observe → revert → recover → verify probes →
 * cleanup → judge. Nothing here knows what the target is.
 */
export async function runScenario<T extends Target>(s: Scenario<T>, opts: RunOptions = {}): Promise<ScenarioReport> {
  const started = Date.now();
  const runId = newRunId(s.id);
  const phase = (p: Phase, note?: string): void => opts.onPhase?.(p, note);
  const note = (m: string): void => opts.onNote?.(m);
  const ctl = new AbortController();
  const abort = ctl.signal;
  opts.abort?.addEventListener('abort', () => ctl.abort(), { once: true });
  const journal = Journal.open(runId, s.id);
  opts.onJournal?.(journal);
  const observations = new ObservationLog();
  const invalid: string[] = [];
  const timeline: Timeline = { baselineFrom: 0, endAt: 0 };
  let scope: Scope = { faulty: new Set() };
  let target: T | undefined;
  let injection: Injection | undefined;
  const watchers: Watcher[] = [];
  const running: { probe: Probe<T>; run: RunningProbe }[] = [];
  const probeResults: Record<string, ProbeResult> = {};

  const expectations = s.expect as Expectation<T>[];
  const detectedExps = expectations.filter((e) => e.kind === 'detected');
  const recoversExp = expectations.find((e) => e.kind === 'recovers');
  const steady = (s.steady ?? []) as Condition<unknown>[];
  const recoveryConditions = [...steady, ...detectedExps.flatMap((e) => e.conditions).filter((c) => c.kind === 'level')] as Condition<unknown>[];

  try {
    phase('provision', s.target.name);
    target = await s.target.provision({ runId, journal, log: note, abort });
    if (abort.aborted) throw new Error('interrupted');

    const sources = new Map<string, Source<T>>();
    for (const c of [...(s.steady ?? []), ...expectations.flatMap((e) => e.conditions)]) for (const src of c.sources) sources.set(src.key, src);
    for (const src of sources.values()) watchers.push(await src.start({ target, log: observations, abort }));
    const probes = new Map(expectations.flatMap((e) => e.probes).map((p) => [p.name, p]));
    for (const p of probes.values()) running.push({ probe: p, run: await p.start({ target, runId, observations, abort }) });

    phase('baseline', formatDuration(s.baselineMs));
    timeline.baselineFrom = Date.now();
    await sleep(s.baselineMs, abort);
    const baselineEnd = Date.now();
    for (const c of steady) {
      const bad = firstFiring(observations.all(), c, scope, timeline.baselineFrom, baselineEnd);
      if (bad) invalid.push(`baseline: steady state does not hold: ${c.name} (${bad.subject})`);
      else if (!observations.all().some((o) => o.at >= timeline.baselineFrom && c.test(o, scope) === false)) {
        invalid.push(`baseline: no observation for ${c.name}: its watcher sees nothing`);
      }
    }
    // Which member the fault will hit is not known yet: any member counts as "faulty" here (the judge re-checks with the real one).
    const anyScope: Scope = { faulty: new Set(observations.all().map((o) => o.subject)) };
    for (const e of detectedExps) {
      const early = firstFiring(observations.all(), e.conditions[0] as Condition<unknown>, anyScope, timeline.baselineFrom, baselineEnd);
      if (early) invalid.push(`baseline: ${e.conditions[0]!.name} already fires before any fault (${early.subject}): its detection would prove nothing`);
    }
    if (abort.aborted) invalid.push('interrupted');

    if (invalid.length === 0) {
      phase('inject', s.fault.describe());
      injection = await s.fault.inject({ target, journal, observations, log: note, abort });
      timeline.injectedAt = injection.injectedAt;
      timeline.verifiedAt = injection.verifiedAt;
      scope = { faulty: new Set(injection.subjects) };
      note(injection.evidence);
      if (!injection.inEffect) invalid.push(`fault not in effect: ${injection.evidence}`);
    }

    if (injection?.inEffect && !abort.aborted) {
      const injectedAt = injection.injectedAt;
      // the fault stays at least `hold` once verified (calibration may take longer than the hold)
      const holdUntil = (injection.verifiedAt ?? injectedAt) + s.holdMs;
      const maxWithin = Math.max(0, ...detectedExps.map((e) => e.withinMs ?? 0));
      phase('observe', `up to ${formatDuration(Math.max(s.holdMs, maxWithin))}`);
      const announced = new Set<string>();
      const resolved = (): boolean =>
        detectedExps.every((e) => {
          const hit = firstFiring(observations.all(), e.conditions[0] as Condition<unknown>, scope, injectedAt, Date.now());
          if (hit && !announced.has(e.name)) {
            announced.add(e.name);
            note(`detected ${e.conditions[0]!.name} after ${formatDuration(hit.at - injectedAt)}`);
          }
          return hit !== undefined || Date.now() > injectedAt + (e.withinMs ?? 0);
        });
      await until(observations, () => resolved() && Date.now() >= holdUntil, Math.max(holdUntil, injectedAt + maxWithin + 1000), abort);
    }

    if (injection) {
      phase('revert');
      await injection.revert();
      timeline.revertedAt = Date.now();
    }

    if (timeline.revertedAt !== undefined && !abort.aborted) {
      const revertedAt = timeline.revertedAt;
      // wait a little past the recovers() deadline, so a late recovery is reported with its instant
      const recoverMs = opts.recoverTimeoutMs ?? (recoversExp?.withinMs !== undefined ? recoversExp.withinMs + 5000 : 60_000);
      phase('recover', `up to ${formatDuration(recoverMs)}`);
      await until(
        observations,
        () => (timeline.recoveredAt = recoveryInstant(observations.all(), recoveryConditions, scope, revertedAt)) !== undefined,
        revertedAt + recoverMs,
        abort,
      );
      if (timeline.recoveredAt !== undefined) note(`recovered ${formatDuration(timeline.recoveredAt - revertedAt)} after the revert`);
      else if (!abort.aborted) note(`not recovered: still firing: ${stillFiring(observations.all(), recoveryConditions, scope, revertedAt).join(', ') || '(nothing: only the instant is missing)'}`);
    }

    if (running.length && timeline.injectedAt !== undefined && !abort.aborted) {
      phase('verify');
      const window = { from: timeline.injectedAt, to: timeline.revertedAt ?? Date.now() };
      for (const { probe, run } of running) {
        try {
          probeResults[probe.name] = await run.verify(window);
          note(`${probe.name}: ${probeResults[probe.name]!.detail}`);
        } catch (e) {
          invalid.push(`${probe.name} could not be verified: ${(e as Error).message}`);
        }
      }
    }
  } catch (e) {
    invalid.push(abort.aborted ? 'interrupted' : `error: ${describeError(e).replace(/\n\s*/g, ' ')}`);
  } finally {
    phase('cleanup');
    for (const { run } of running) await run.stop().catch(() => undefined);
    for (const w of watchers) await w.stop().catch(() => undefined);
    if (injection) await injection.revert().catch((e: Error) => invalid.push(`revert failed: ${e.message}`));
    if (target) await target.teardown().catch((e: Error) => invalid.push(`teardown failed: ${e.message}`));
    const errors = await journal.revertAll();
    for (const e of errors) invalid.push(`cleanup failed: ${e.message}`);
    if (!journal.close()) invalid.push(`cleanup incomplete: run \`kdrill clean\` (journal ${journal.path})`);
  }

  timeline.endAt = Date.now();
  if (abort.aborted && !invalid.includes('interrupted')) invalid.push('interrupted');
  const input = { observations: observations.all(), timeline, scope, probes: probeResults };
  const results: ExpectationResult[] = expectations.map((e) => e.judge(input));
  const { verdict, reasons } = scenarioVerdict(invalid, results);
  phase('done', verdict);
  return {
    id: s.id,
    title: s.title,
    runId,
    verdict,
    reasons,
    target: target?.describe(),
    fault: {
      description: s.fault.describe(),
      inEffect: injection?.inEffect,
      evidence: injection?.evidence,
      subjects: injection?.subjects ?? [],
      measurements: injection?.measurements ?? {},
    },
    timeline,
    expectations: results,
    probes: probeResults,
    observed: observedSummary(observations.all(), timeline),
    durationMs: timeline.endAt - started,
  };
}
