import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ScenarioReport } from './report.js';
import type { Verdict } from '../expect/expectation.js';

const iso = (ms: number | undefined): string | null => (ms === undefined || ms === 0 ? null : new Date(ms).toISOString());

/** The --json file: per scenario its verdict and, per expectation, verdict, instants and latency. */
export function toJson(reports: ScenarioReport[], exitCode: number): unknown {
  return {
    kdrill: 1,
    exitCode,
    verdicts: Object.fromEntries(reports.map((r) => [r.id, r.verdict])) as Record<string, Verdict>,
    scenarios: reports.map((r) => ({
      id: r.id,
      title: r.title,
      runId: r.runId,
      verdict: r.verdict,
      reasons: r.reasons,
      target: r.target ?? null,
      fault: r.fault,
      timeline: {
        baselineFrom: iso(r.timeline.baselineFrom),
        injectedAt: iso(r.timeline.injectedAt),
        verifiedAt: iso(r.timeline.verifiedAt),
        revertedAt: iso(r.timeline.revertedAt),
        recoveredAt: iso(r.timeline.recoveredAt),
        endAt: iso(r.timeline.endAt),
      },
      expectations: r.expectations.map((e) => ({
        name: e.name,
        verdict: e.verdict,
        injectedAt: iso(e.injectedAt),
        detectedAt: iso(e.detectedAt),
        recoveredAt: iso(e.recoveredAt),
        latencyMs: e.latencyMs ?? null,
        recoveryMs: e.recoveryMs ?? null,
        detail: e.detail,
      })),
      probes: r.probes,
      observed: r.observed,
      durationMs: r.durationMs,
    })),
  };
}

export function writeJsonReport(file: string, reports: ScenarioReport[], exitCode: number): string {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(toJson(reports, exitCode), null, 2) + '\n');
  return path;
}
