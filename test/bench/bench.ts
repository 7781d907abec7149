/**
 * npm run bench: a benchmark of kdrill itself, over real run records (not a
 * timed test: it prints numbers and ratios from one set of runs, and fails
 * nothing). By default the newest record of every drill under
 * $KDRILL_STATE/runs (what the e2e tier or `kdrill run` left); or the
 * records named on the command line.
 *
 *  (a) kdrill's detection overhead per observation source: seen − happened,
 *      median and p95, for sources with their own timestamps (log lines,
 *      Events, conditions, process starts; the API's are whole seconds);
 *      polled sources have no "happened" of their own: their poll period.
 *  (b) the drills' wall time sharing clusters against one fresh cluster per
 *      drill, from the recorded provisioning and cluster-creation times.
 *  (c) inject (apply), verify and revert time per fault.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readRecord } from '../../src/record/read.js';
import type { RunRecord } from '../../src/record/run-record.js';
import { runsDir } from '../../src/record/recorder.js';
import { formatDuration } from '../../src/util/duration.js';

function quantile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

function newestPerDrill(): string[] {
  const dir = runsDir();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => ({ f: join(dir, f), t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const { f } of files) {
    const r = readRecord(f);
    if (!r.complete || seen.has(r.scenario.id)) continue;
    seen.add(r.scenario.id);
    out.push(f);
  }
  return out;
}

const files = process.argv.length > 2 ? process.argv.slice(2) : newestPerDrill();
const records: RunRecord[] = files.map(readRecord).filter((r) => r.complete);
if (!records.length) {
  console.log(`no complete run records (in ${runsDir()}): run drills first (npm run test:e2e, or kdrill run ...)`);
  process.exit(0);
}
const ms = (x: number) => (Number.isFinite(x) ? formatDuration(x) : '—');
console.log(`kdrill bench, ${new Date().toISOString().slice(0, 10)}: ${records.length} run records (${records.map((r) => r.scenario.id).join(', ')})\n`);

// (a) overhead per source
console.log('(a) detection overhead per observation source (kdrill saw it − the source says it happened)');
const bySource = new Map<string, { clock: string; periodMs?: number; over: number[] }>();
for (const r of records) {
  const clocks = new Map(r.sources.map((s) => [s.key, s.clock]));
  for (const o of r.observations) {
    const key = o.source ?? '(unstamped)';
    const clock = clocks.get(key);
    let e = bySource.get(key);
    if (!e) bySource.set(key, (e = { clock: clock?.kind ?? 'unknown', ...(clock?.kind === 'poll' ? { periodMs: clock.periodMs } : {}), over: [] }));
    if (clock?.kind === 'event' && o.seen !== undefined) e.over.push(o.seen - o.at);
  }
}
console.log(`    ${'source'.padEnd(34)} ${'clock'.padEnd(6)} ${'n'.padStart(6)}  ${'median'.padStart(8)}  ${'p95'.padStart(8)}`);
const medians: number[] = [];
for (const [k, e] of [...bySource].sort()) {
  if (e.clock === 'event') {
    const med = quantile(e.over, 0.5);
    medians.push(med);
    console.log(`    ${k.padEnd(34)} ${'event'.padEnd(6)} ${String(e.over.length).padStart(6)}  ${ms(med).padStart(8)}  ${ms(quantile(e.over, 0.95)).padStart(8)}`);
  } else {
    console.log(`    ${k.padEnd(34)} ${e.clock.padEnd(6)} ${'—'.padStart(6)}  polled every ${e.periodMs !== undefined ? ms(e.periodMs) : '?'}`);
  }
}
const worst = Math.max(...medians.filter(Number.isFinite));
console.log(`    worst median over event sources: ${ms(worst)} (goal ≤ 1s; peers poll every 2-60 s): ${worst <= 1000 ? 'met' : 'NOT met'}\n`);

// (b) cluster reuse
console.log('(b) the drills, sharing clusters vs one fresh cluster per drill (from recorded times)');
let shared = 0;
let fresh = 0;
const createByShape = new Map<string, number>();
for (const r of records) {
  const m = r.notes.map((n) => /cluster (\S+) created for this run: ([\d.]+)s/.exec(n.text)).find(Boolean);
  if (m) createByShape.set(m[1]!, Number(m[2]) * 1000);
}
for (const r of records) {
  const prov = r.phases.find((p) => p.phase === 'provision');
  const next = r.phases.find((p) => p.phase !== 'provision' && prov && p.at >= prov.at);
  const provisionMs = prov && next ? next.at - prov.at : 0;
  const cluster = /kind cluster (\S+)/.exec(r.target.description ?? r.target.provider)?.[1]?.replace(/:$/, '');
  const create = cluster ? createByShape.get(cluster) : undefined;
  shared += r.durationMs ?? 0;
  // a fresh cluster: this drill's run without its provisioning, plus creating its shape's cluster
  fresh += (r.durationMs ?? 0) - provisionMs + (create ?? provisionMs);
}
console.log(`    cluster creation measured: ${[...createByShape].map(([k, v]) => `${k} ${ms(v)}`).join(', ') || 'none in these records (every cluster was shared or found)'}`);
// sharing: each shape's creation is already inside its first drill's provisioning; deleting clusters is left out of both
console.log(`    sharing: ${ms(shared)}; one fresh cluster per drill: ${ms(fresh)}; ratio ${(fresh / Math.max(1, shared)).toFixed(2)}× (cluster deletion not counted in either)\n`);

// (c) per fault
console.log('(c) per fault: apply (inject → injected), verify (injected → verified), revert (revert phase → reverted)');
const byFault = new Map<string, { apply: number[]; verify: number[]; revert: number[] }>();
for (const r of records) {
  const name = r.fault.name ?? r.fault.description.split(' ')[0]!;
  let e = byFault.get(name);
  if (!e) byFault.set(name, (e = { apply: [], verify: [], revert: [] }));
  const inject = r.phases.find((p) => p.phase === 'inject')?.at;
  const revert = r.phases.find((p) => p.phase === 'revert')?.at;
  const { injectedAt, verifiedAt, revertedAt } = r.timeline;
  if (inject !== undefined && injectedAt !== undefined) e.apply.push(injectedAt - inject);
  if (injectedAt !== undefined && verifiedAt !== undefined) e.verify.push(verifiedAt - injectedAt);
  if (revert !== undefined && revertedAt !== undefined) e.revert.push(revertedAt - revert);
}
console.log(`    ${'fault'.padEnd(32)} ${'apply'.padStart(9)} ${'verify'.padStart(9)} ${'revert'.padStart(9)}  runs`);
for (const [k, e] of [...byFault].sort()) {
  console.log(`    ${k.padEnd(32)} ${ms(quantile(e.apply, 0.5)).padStart(9)} ${ms(quantile(e.verify, 0.5)).padStart(9)} ${ms(quantile(e.revert, 0.5)).padStart(9)}  ${Math.max(e.apply.length, e.revert.length)}`);
}
