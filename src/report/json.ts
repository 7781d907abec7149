import type { Verdict } from '../expect/expectation.js';
import type { RunRecord } from '../record/run-record.js';

/** The --json document's schema (schema/run.v1.json ships with the package); bump on a breaking change. */
export const JSON_SCHEMA_ID = 'https://kdrill.dev/schema/run.v1.json';
export const JSON_SCHEMA_VERSION = 1;

const iso = (ms: number | undefined): string | null => (ms === undefined || ms === 0 ? null : new Date(ms).toISOString());

/** Per observation source: how kdrill learns (its own timestamps, or a poll period) and its own delay. */
function sourcesOf(r: RunRecord) {
  return r.sources.map((s) => ({ key: s.key, clock: s.clock?.kind ?? 'unknown', ...(s.clock?.kind === 'poll' ? { pollMs: s.clock.periodMs } : {}) }));
}

/** The --json document: per drill its verdict, why, the fault, per expectation instants and latencies, probes, and the raw observations. */
export function toJson(records: RunRecord[], exitCode: number): Record<string, unknown> {
  return {
    $schema: JSON_SCHEMA_ID,
    schemaVersion: JSON_SCHEMA_VERSION,
    exitCode,
    verdicts: Object.fromEntries(records.map((r) => [r.scenario.id, r.verdict ?? 'invalid'])) as Record<string, Verdict>,
    scenarios: records.map((r) => ({
      id: r.scenario.id,
      title: r.scenario.title,
      incident: r.scenario.incident,
      source: r.scenario.source ?? null,
      runId: r.runId,
      complete: r.complete,
      verdict: r.verdict ?? 'invalid',
      reasons: r.reasons,
      target: { provider: r.target.provider, description: r.target.description ?? null },
      fault: {
        description: r.fault.description,
        inEffect: r.fault.inEffect ?? null,
        evidence: r.fault.evidence ?? null,
        subjects: r.fault.subjects,
        measurements: r.fault.measurements,
      },
      timeline: {
        startedAt: iso(r.startedAt),
        baselineFrom: iso(r.timeline.baselineFrom),
        injectedAt: iso(r.timeline.injectedAt),
        verifiedAt: iso(r.timeline.verifiedAt),
        remediatedAt: iso(r.timeline.remediatedAt),
        revertedAt: iso(r.timeline.revertedAt),
        recoveredAt: iso(r.timeline.recoveredAt),
        endAt: iso(r.timeline.endAt),
      },
      phases: r.phases.map((p) => ({ phase: p.phase, at: iso(p.at), note: p.note ?? null })),
      expectations: r.results.map((e) => {
        const clock = e.source ? r.sources.find((s) => s.key === e.source)?.clock : undefined;
        return {
          name: e.name,
          verdict: e.verdict,
          injectedAt: iso(e.injectedAt),
          detectedAt: iso(e.detectedAt),
          recoveredAt: iso(e.recoveredAt),
          latencyMs: e.latencyMs ?? null,
          overheadMs: clock?.kind === 'event' && e.seenAt !== undefined && e.detectedAt !== undefined ? Math.max(0, e.seenAt - e.detectedAt) : null,
          pollMs: clock?.kind === 'poll' ? clock.periodMs : null,
          recoveryMs: e.recoveryMs ?? null,
          detail: e.detail,
        };
      }),
      steps: r.steps.filter(Boolean).map((st) => ({
        index: st.index,
        title: st.title,
        startedAt: iso(st.startedAt),
        endedAt: iso(st.endedAt),
        inEffect: st.inEffect ?? null,
        evidence: st.evidence ?? null,
        subjects: st.subjects,
      })),
      probes: r.probes,
      observed: r.observed,
      sources: sourcesOf(r),
      observations: r.observations.map((o) => ({
        signal: o.signal,
        subject: o.subject,
        at: o.at,
        seen: o.seen ?? o.at,
        ...(o.source ? { source: o.source } : {}),
        ...(o.value !== undefined && Number.isFinite(o.value) ? { value: o.value } : {}),
        ...(o.text !== undefined ? { text: o.text } : {}),
      })),
      durationMs: r.durationMs ?? null,
    })),
  };
}
