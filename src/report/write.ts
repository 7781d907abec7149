import { writeFileSync } from 'node:fs';
import type { RunRecord } from '../record/run-record.js';
import { checkOutputPath } from '../util/output-path.js';
import { toJson } from './json.js';
import { toJUnit } from './junit.js';
import { toHtml } from './html.js';

export interface ReportPaths {
  json?: string;
  junit?: string;
  html?: string;
}

/** The report flags, checked before anything runs (a bad path fails now, not after the drills). */
export function checkReportPaths(values: Record<string, unknown>): ReportPaths {
  const out: ReportPaths = {};
  for (const k of ['json', 'junit', 'html'] as const) if (values[k] !== undefined) out[k] = checkOutputPath(`--${k}`, values[k] as string);
  return out;
}

/** Writes every view asked for, all rendered from the same records. */
export function writeReports(paths: ReportPaths, records: RunRecord[], exitCode: number): string[] {
  const written: string[] = [];
  if (paths.json) writeFileSync(paths.json, JSON.stringify(toJson(records, exitCode), null, 2) + '\n');
  if (paths.junit) writeFileSync(paths.junit, toJUnit(records));
  if (paths.html) writeFileSync(paths.html, toHtml(records));
  for (const p of [paths.json, paths.junit, paths.html]) if (p) written.push(p);
  return written;
}
