import { randomBytes } from 'node:crypto';
import type { Scenario } from './scenario.js';
import type { Target } from './targets/target.js';
import type { Injection } from './faults/fault.js';
import type { Expectation } from './expect/expectation.js';
import type { Condition, Scope, Source, Watcher } from './signals/signal.js';
import type { Probe, RunningProbe } from './probes/probe.js';
import { Journal } from './journal.js';
import { ObservationLog } from './signals/observation.js';
import { firstFiring, recoveryInstant, stillFiring } from './expect/condition-state.js';
import { advanceCalm, noCalmReason, unobserved, type CalmState } from './expect/calm.js';
import { judgeRecord } from './record/judge.js';
import { RunRecorder } from './record/recorder.js';
import type { Phase, RunEvent, RunRecord } from './record/run-record.js';
import { observedSummary } from './report/observed-summary.js';
import { formatDuration } from './util/duration.js';
import { describeError } from './util/errors.js';

export interface RunOptions {
  /** Every event of the run record as it happens (the CLI renders progress from them). */
  onEvent?: (ev: RunEvent) => void;
  /** How long recovery may take before giving up (default: the recovers expectation's T, else 60s). */
  recoverTimeoutMs?: number;
  /** Set by the CLI: cancels the run (SIGINT/SIGTERM); the run reverts everything and is invalid. */
  abort?: AbortSignal;
  /** Receives the journal as soon as it exists (the CLI's signal handler counts what is left to revert). */
  onJournal?: (j: Journal) => void;
  /** Where the JSON Lines record goes (default $KDRILL_STATE/runs/<runId>.jsonl; false: memory only). */
  recordFile?: string | false;
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
 * One drill: provision → baseline (a calm steady state, with a deadline) →
 * inject (journal, apply, verify in effect) → observe → revert → recover →
 * verify probes → cleanup → judge. Nothing here knows what the target is;
 * everything it does and sees goes into the run record, which it returns.
 */
export async function runScenario(s: Scenario, opts: RunOptions = {}): Promise<RunRecord> {
  const runId = newRunId(s.id);
  const recorder = new RunRecorder(runId, { file: opts.recordFile });
  const emit = (ev: RunEvent): void => {
    recorder.emit(ev);
    opts.onEvent?.(ev);
  };
  const phase = (p: Phase, note?: string): void => emit({ e: 'phase', at: Date.now(), phase: p, ...(note ? { note } : {}) });
  const note = (text: string): void => emit({ e: 'note', at: Date.now(), text });
  const invalid = (reason: string): void => emit({ e: 'invalid', reason });
  const mark = (field: 'baselineFrom' | 'injectedAt' | 'verifiedAt' | 'revertedAt' | 'recoveredAt', value: number): void =>
    emit({ e: 'timeline', at: Date.now(), field, value });
  const ctl = new AbortController();
  const abort = ctl.signal;
  opts.abort?.addEventListener('abort', () => ctl.abort(), { once: true });
  const interrupted = (): boolean => abort.aborted;

  emit({
    e: 'run',
    v: 1,
    runId,
    at: Date.now(),
    scenario: { id: s.id, title: s.title, incident: s.incident, ...(s.source ? { source: s.source } : {}) },
    target: s.target.name,
    fault: s.fault.describe(),
    expectations: s.expect.map((e) => ({ name: e.name, kind: e.kind, ...(e.withinMs !== undefined ? { withinMs: e.withinMs } : {}) })),
  });
  const journal = Journal.open(runId, s.id);
  opts.onJournal?.(journal);
  const observations = new ObservationLog();
  observations.subscribe((o) => emit({ e: 'obs', ...o }));
  const record = recorder.record;
  let scope: Scope = { faulty: new Set() };
  let target: Target | undefined;
  let injection: Injection | undefined;
  const watchers: Watcher[] = [];
  const running: { probe: Probe; run: RunningProbe }[] = [];

  const expectations: readonly Expectation[] = s.expect;
  const detectedExps = expectations.filter((e) => e.kind === 'detected');
  const recoversExp = expectations.find((e) => e.kind === 'recovers');
  const steady: Condition[] = s.steady ?? [];
  const detectors = detectedExps.map((e) => e.conditions[0]!);
  const recoveryConditions = [...steady, ...detectors.filter((c) => c.kind === 'level')];

  try {
    // --- provision: the target, then every watcher and probe ---
    phase('provision', s.target.name);
    target = await s.target.provision({ runId, journal, log: note, abort });
    emit({ e: 'target', description: target.describe() });
    if (interrupted()) throw new Error('interrupted');
    const sources = new Map<string, Source>();
    const probes = new Map(expectations.flatMap((e) => e.probes).map((p) => [p.name, p]));
    for (const c of [...steady, ...expectations.flatMap((e) => e.conditions)]) for (const src of c.sources) sources.set(src.key, src);
    for (const p of probes.values()) for (const src of p.sources ?? []) sources.set(src.key, src);
    for (const src of sources.values()) {
      emit({ e: 'source', key: src.key, ...(src.clock ? { clock: src.clock } : {}) });
      watchers.push(await src.start({ target, log: observations, abort }));
    }
    for (const p of probes.values()) running.push({ probe: p, run: await p.start({ target, runId, observations, abort }) });

    // --- baseline: a calm steady state for `baseline`, within `baselineDeadline` ---
    const calm = await calmBaseline();
    if (calm) invalid(calm);
    if (interrupted()) invalid('interrupted');

    // --- inject, verified in effect by measurement ---
    if (!record.invalid.length) {
      phase('inject', s.fault.describe());
      injection = await s.fault.inject({ target, journal, observations, log: note, abort });
      mark('injectedAt', injection.injectedAt);
      if (injection.verifiedAt !== undefined) mark('verifiedAt', injection.verifiedAt);
      scope = { faulty: new Set(injection.subjects) };
      emit({ e: 'scope', faulty: injection.subjects });
      emit({ e: 'fault', description: s.fault.describe(), inEffect: injection.inEffect, evidence: injection.evidence, subjects: injection.subjects, measurements: injection.measurements });
      note(injection.evidence);
      if (!injection.inEffect) invalid(`fault not in effect: ${injection.evidence}`);
    }

    // --- observe: the fault stays while detections are pending ---
    if (injection?.inEffect && !interrupted()) await observe(injection);

    if (injection) {
      phase('revert');
      await injection.revert();
      mark('revertedAt', Date.now());
    }
    if (record.timeline.revertedAt !== undefined && !interrupted()) await recover(record.timeline.revertedAt);

    if (running.length && record.timeline.injectedAt !== undefined && !interrupted()) {
      phase('verify');
      const window = { from: record.timeline.injectedAt, to: record.timeline.revertedAt ?? Date.now() };
      for (const { probe, run } of running) {
        try {
          const result = await run.verify(window);
          emit({ e: 'probe', name: probe.name, result });
          note(`${probe.name}: ${result.detail}`);
        } catch (e) {
          invalid(`${probe.name} could not be verified: ${(e as Error).message}`);
        }
      }
    }
  } catch (e) {
    invalid(interrupted() ? 'interrupted' : `error: ${describeError(e).replace(/\n\s*/g, ' ')}`);
  } finally {
    // --- cleanup: every change of this run undone, whatever happened (a signal does not cut it short) ---
    phase('cleanup');
    for (const { run } of running) await run.stop().catch(() => undefined);
    for (const w of watchers) await w.stop().catch(() => undefined);
    if (injection) await injection.revert().catch((e: Error) => invalid(`revert failed: ${e.message}`));
    if (target) await target.teardown().catch((e: Error) => invalid(`teardown failed: ${e.message}`));
    const { errors, deferred } = await journal.revertAll();
    for (const e of errors) invalid(`cleanup failed: ${e.message}`);
    for (const d of deferred) invalid(`cleanup deferred: ${d}`);
    if (!journal.close()) invalid(`cleanup incomplete: run \`kdrill clean\` (journal ${journal.path})`);
  }

  if (interrupted()) invalid('interrupted');
  const { results, verdict, reasons } = judgeRecord(record, expectations);
  for (const result of results) emit({ e: 'result', result });
  phase('done', verdict);
  emit({ e: 'end', at: Date.now(), verdict, reasons, observed: observedSummary(record.observations, record.timeline) });
  recorder.close();
  return record;

  /**
   * Waits for a calm baseline: every steady condition observed clear and no
   * steady or detected() condition firing, for `baselineMs` in a row. A break
   * restarts the window. Past `baselineDeadlineMs` the drill is invalid, with
   * the value that broke the last window and its threshold: a drill never
   * judges a fault against a noisy baseline.
   */
  async function calmBaseline(): Promise<string | undefined> {
    if (target?.quiesce) note(await target.quiesce(abort));
    const start = Date.now();
    const deadline = start + s.baselineDeadlineMs;
    phase('baseline', `calm for ${formatDuration(s.baselineMs)} (at most ${formatDuration(s.baselineDeadlineMs)})`);
    // which member the fault will hit is not known yet: every subject seen counts as "faulty" here
    const anyScope = (): Scope => ({ faulty: new Set(observations.all().map((o) => o.subject)) });
    const breakers = [...steady, ...detectors];
    let state: CalmState = { from: start, longestMs: 0, breaks: [] };
    let silent: Condition[] = [];
    let said = 0;
    const calmNow = (): boolean => {
      const now = Date.now();
      const sc = anyScope();
      state = advanceCalm(state, observations.all(), breakers, sc, now);
      if (state.breaks.length > said) {
        said = state.breaks.length;
        const b = state.breaks[said - 1]!;
        note(`baseline not calm: ${b.condition.name} fired (${b.observation.subject}: ${b.observation.text ?? Math.round(b.observation.value ?? 0)}); waiting`);
      }
      silent = unobserved(observations.all(), steady, sc, state.from, now);
      return now - state.from >= s.baselineMs && silent.length === 0;
    };
    const ok = await until(observations, calmNow, deadline, abort);
    if (ok) {
      mark('baselineFrom', state.from);
      return undefined;
    }
    if (interrupted()) return undefined;
    mark('baselineFrom', state.from);
    return noCalmReason(state, s.baselineMs, s.baselineDeadlineMs, Date.now(), silent);
  }

  async function observe(inj: Injection): Promise<void> {
    const injectedAt = inj.injectedAt;
    // the fault stays at least `hold` once verified (calibration may take longer than the hold)
    const holdUntil = (inj.verifiedAt ?? injectedAt) + s.holdMs;
    const maxWithin = Math.max(0, ...detectedExps.map((e) => e.withinMs ?? 0));
    phase('observe', `up to ${formatDuration(Math.max(s.holdMs, maxWithin))}`);
    const announced = new Set<string>();
    const resolved = (): boolean =>
      detectedExps.every((e) => {
        const hit = firstFiring(observations.all(), e.conditions[0]!, scope, injectedAt, Date.now());
        if (hit && !announced.has(e.name)) {
          announced.add(e.name);
          note(`detected ${e.conditions[0]!.name} after ${formatDuration(hit.at - injectedAt)}`);
        }
        return hit !== undefined || Date.now() > injectedAt + (e.withinMs ?? 0);
      });
    await until(observations, () => resolved() && Date.now() >= holdUntil, Math.max(holdUntil, injectedAt + maxWithin + 1000), abort);
  }

  async function recover(revertedAt: number): Promise<void> {
    // wait a little past the recovers() deadline, so a late recovery is reported with its instant
    const recoverMs = opts.recoverTimeoutMs ?? (recoversExp?.withinMs !== undefined ? recoversExp.withinMs + 5000 : 60_000);
    phase('recover', `up to ${formatDuration(recoverMs)}`);
    let at: number | undefined;
    await until(observations, () => (at = recoveryInstant(observations.all(), recoveryConditions, scope, revertedAt)) !== undefined, revertedAt + recoverMs, abort);
    if (at !== undefined) {
      mark('recoveredAt', at);
      note(`recovered ${formatDuration(at - revertedAt)} after the revert`);
    } else if (!interrupted()) {
      note(`not recovered: still firing: ${stillFiring(observations.all(), recoveryConditions, scope, revertedAt).join(', ') || '(nothing: only the instant is missing)'}`);
    }
  }
}
