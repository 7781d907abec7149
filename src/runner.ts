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
import { advanceCalm, describeBreak, noCalmReason, unobserved, type CalmState } from './expect/calm.js';
import { judgeRecord } from './record/judge.js';
import { RunRecorder } from './record/recorder.js';
import type { Phase, RunEvent, RunRecord } from './record/run-record.js';
import { observedSummary } from './report/observed-summary.js';
import { formatDuration } from './util/duration.js';
import { describeError } from './util/errors.js';
import { forgetRunWorkloads } from './probes/drill-workloads.js';

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
  const mark = (field: 'baselineFrom' | 'injectedAt' | 'verifiedAt' | 'revertedAt' | 'recoveredAt' | 'remediatedAt' | 'remediatedUntil', value: number): void =>
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
    faultName: s.fault.name,
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
  const stepInjections: Injection[] = [];
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
      watchers.push(await src.start({ target, log: observations.from(src.key), abort, journal, runId }));
    }
    for (const p of probes.values()) running.push({ probe: p, run: await p.start({ target, runId, observations, abort, journal }) });

    // --- baseline: a calm steady state for `baseline`, within `baselineDeadline` ---
    const calm = await calmBaseline();
    if (calm) invalid(calm);
    if (interrupted()) invalid('interrupted');

    // --- inject, verified in effect by measurement ---
    if (!record.invalid.length) {
      phase('inject', s.fault.describe());
      injection = await s.fault.inject({ target, journal, observations, log: note, abort, runId });
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

    // --- remediate: the postmortem's steps, each applied on top and judged over its own window ---
    if (injection?.inEffect) await remediate();

    if (injection) {
      phase('revert');
      await revertSteps();
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
    await revertSteps().catch((e: Error) => invalid(`revert of a remediation step failed: ${e.message}`));
    if (injection) await injection.revert().catch((e: Error) => invalid(`revert failed: ${e.message}`));
    if (target) await target.teardown().catch((e: Error) => invalid(`teardown failed: ${e.message}`));
    const { errors, deferred } = await journal.revertAll();
    forgetRunWorkloads(runId);
    for (const e of errors) invalid(`cleanup failed: ${e.message}`);
    for (const d of deferred) invalid(`cleanup deferred: ${d}`);
    if (!journal.close()) invalid(`cleanup incomplete: run \`kdrill clean\` (journal ${journal.path})`);
  }

  if (interrupted()) invalid('interrupted');
  const { results, verdict, reasons } = judgeRecord(record, expectations, s.remediation);
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
    let saidAt = 0;
    const calmNow = (): boolean => {
      const now = Date.now();
      const sc = anyScope();
      state = advanceCalm(state, observations.all(), breakers, sc, now);
      // say why it is not calm when it starts, then at most every 10 s
      if (state.breaks.length > said && now - saidAt >= 10_000) {
        said = state.breaks.length;
        saidAt = now;
        note(`baseline not calm: ${describeBreak(state.breaks[said - 1]!)}; waiting (${state.breaks.length} break(s) so far)`);
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
    // the fault stays at least `hold` once verified (calibration may take longer than the hold)
    const maxWithin = Math.max(0, ...detectedExps.map((e) => e.withinMs ?? 0));
    phase('observe', `up to ${formatDuration(Math.max(s.holdMs, maxWithin))}`);
    await waitDetections(detectedExps, () => scope, inj.injectedAt, (inj.verifiedAt ?? inj.injectedAt) + s.holdMs);
  }

  /** Waits while `exps`' detections are pending (each up to its own T) and at least `holdMs` after `from`. */
  function waitDetections(exps: readonly Expectation[], sc: () => Scope, from: number, holdUntil: number): Promise<boolean> {
    const detecting = exps.filter((e) => e.kind === 'detected');
    const maxWithin = Math.max(0, ...detecting.map((e) => e.withinMs ?? 0));
    const announced = new Set<string>();
    const resolved = (): boolean =>
      detecting.every((e) => {
        const hit = firstFiring(observations.all(), e.conditions[0]!, sc(), from, Date.now());
        if (hit && !announced.has(e.name)) {
          announced.add(e.name);
          note(`detected ${e.conditions[0]!.name} after ${formatDuration(hit.at - from)}`);
        }
        return hit !== undefined || Date.now() > from + (e.withinMs ?? 0);
      });
    return until(observations, () => resolved() && Date.now() >= holdUntil, Math.max(holdUntil, from + maxWithin + 1000), abort);
  }

  async function remediate(): Promise<void> {
    if (!s.remediation.length) return;
    mark('remediatedAt', Date.now());
    try {
      await steps();
    } finally {
      mark('remediatedUntil', Date.now());
    }
  }

  async function steps(): Promise<void> {
    for (const [index, st] of s.remediation.entries()) {
      if (interrupted()) return;
      phase('remediate', `step ${index + 1} of ${s.remediation.length}: ${st.title}`);
      const startedAt = Date.now();
      emit({ e: 'step', index, title: st.title, startedAt, subjects: [] });
      const inj = await st.action.inject({ target: target!, journal, observations, log: note, abort, runId });
      stepInjections.push(inj);
      note(`step ${index + 1}: ${inj.evidence}`);
      const base = { index, title: st.title, startedAt: inj.injectedAt, subjects: inj.subjects, inEffect: inj.inEffect, evidence: inj.evidence, ...(inj.verifiedAt ? { verifiedAt: inj.verifiedAt } : {}) };
      emit({ e: 'step', ...base });
      if (!inj.inEffect) {
        invalid(`remediation step ${index + 1} (${st.title}) not in effect: ${inj.evidence}`);
        return;
      }
      const stepScope: Scope = { faulty: new Set(inj.subjects) };
      await waitDetections(st.expect, () => stepScope, inj.injectedAt, (inj.verifiedAt ?? inj.injectedAt) + st.holdMs);
      emit({ e: 'step', ...base, endedAt: Date.now() });
    }
  }

  /** Takes the remediation steps back, the last first (idempotent: the final cleanup calls it again). */
  async function revertSteps(): Promise<void> {
    for (const inj of [...stepInjections].reverse()) await inj.revert();
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
