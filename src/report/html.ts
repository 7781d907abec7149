import type { RunRecord } from '../record/run-record.js';
import type { Observation } from '../signals/observation.js';
import { formatDuration } from '../util/duration.js';

/**
 * One self-contained HTML page per run (no script, no network at view time):
 * for each drill a timeline (phases; the fault's band from injection to
 * revert, verified and recovered marks, remediation steps; each signal's
 * series; a numbered mark where each expectation was detected), the verdicts,
 * and the fault's evidence. Made to be read at a glance in a game-day room.
 */
export function toHtml(records: RunRecord[]): string {
  const body = records.map(section).join('\n');
  const title = records.length === 1 ? `${records[0]!.scenario.id}: ${records[0]!.verdict ?? 'unfinished'}` : `kdrill: ${records.length} drills`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${CSS}</style></head>
<body>
${body}
<footer>kdrill run record rendered ${esc(new Date().toISOString())}</footer>
</body></html>
`;
}

const CSS = `
body{font:14px/1.4 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#1b1f24;background:#fff}
section.drill{margin-bottom:48px;border-top:3px solid #d0d7de;padding-top:16px}
h1{font-size:26px;margin:0 0 6px}
.badge{display:inline-block;font-weight:700;padding:4px 14px;border-radius:6px;color:#fff;margin-right:12px;font-size:22px;vertical-align:middle}
.pass{background:#1a7f37}.fail{background:#cf222e}.invalid{background:#9a6700}.unfinished{background:#57606a}
.meta{color:#57606a;margin:2px 0}
.reasons li{color:#cf222e;font-weight:600}
table{border-collapse:collapse;margin-top:12px;width:100%}
th,td{border-bottom:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td.v-pass{color:#1a7f37;font-weight:700}td.v-fail{color:#cf222e;font-weight:700}td.v-invalid{color:#9a6700;font-weight:700}
.num{font-variant-numeric:tabular-nums;white-space:nowrap}
svg text{font:12px -apple-system,"Segoe UI",Helvetica,Arial,sans-serif}
.evidence{background:#f6f8fa;border-left:4px solid #cf222e;padding:8px 12px;margin:10px 0;white-space:pre-wrap}
footer{color:#8c959f;font-size:12px}
`;

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const LABELS: Record<string, string> = {
  'etcd.wal_fsync_p99': 'WAL fsync p99 (ms)',
  'etcd.backend_commit_p99': 'backend commit p99 (ms)',
  'etcd.put_latency': 'etcd put (ms)',
  'etcd.has_leader': 'etcd has a leader',
  'api.write': 'API write (ms)',
  'api.ok': 'API takes writes',
  'service.call': 'Service call (ms)',
  'proc.state': 'process running',
  'pod.cidr': 'pod IP in its node range',
  'newpod.cidr': 'new pod IP in node range',
  'newpod.peer': 'new pod reaches peers',
  'newpod.service': 'new pod reaches a Service',
  'newpod.started': 'new pod runs',
  'cni.configs': 'CNI configs in net.d',
  'reconcile.ok': 'controllers reconcile',
  'rbac.allowed': 'permission allowed',
  'cidr.agreement': 'pod CIDRs agree',
  'cp.copies': 'control-plane copies',
  'integrity.ack': 'acknowledged write (ms)',
};
/** Signals shown first, in this order; others follow. */
const ORDER = Object.keys(LABELS);
/** Signals whose value is a yes (1) / no (0). */
const BOOLEAN = new Set(['etcd.has_leader', 'api.ok', 'proc.state', 'pod.cidr', 'newpod.cidr', 'newpod.peer', 'newpod.service', 'newpod.started', 'reconcile.ok', 'rbac.allowed', 'cidr.agreement']);
/** Signals whose observations are events (drawn as ticks), not series. */
const EVENTS = new Set(['etcd.log', 'kube.event', 'log.kube-apiserver', 'log.kube-scheduler', 'log.kube-controller-manager', 'log.kubelet', 'etcd.leader_change', 'lease.change', 'pod.duplicate_ip']);
const SKIP = new Set(['etcd.scrape', 'etcd.is_leader', 'etcd.leader_changes', 'etcd.counter_reset', 'lease.holder', 'reconcile.latency']);

interface Row {
  key: string;
  label: string;
  points: Observation[];
  kind: 'series' | 'boolean' | 'events';
}

function rows(r: RunRecord): Row[] {
  const by = new Map<string, Observation[]>();
  for (const o of r.observations) {
    if (SKIP.has(o.signal)) continue;
    const key = EVENTS.has(o.signal) ? o.signal : `${o.signal}|${o.subject}`;
    if (!EVENTS.has(o.signal) && o.value === undefined) continue;
    let list = by.get(key);
    if (!list) by.set(key, (list = []));
    list.push(o);
  }
  const out: Row[] = [];
  for (const [key, points] of by) {
    const [signal, subject] = key.split('|') as [string, string | undefined];
    const short = (subject ?? '').replace(/^kdrill-[a-z0-9-]*?-(control-plane\d*|worker\d*)/, '$1');
    out.push({
      key,
      label: `${LABELS[signal] ?? signal}${subject ? ` · ${short}` : ''}`,
      points,
      kind: EVENTS.has(signal) ? 'events' : BOOLEAN.has(signal) ? 'boolean' : 'series',
    });
  }
  // what detected an expectation comes first, then the known signals in their order, then the rest
  const detecting = new Set(r.results.map((e) => e.source).filter(Boolean));
  const rank = (row: Row) => {
    const i = ORDER.indexOf(row.key.split('|')[0]!);
    const hit = row.points.some((p) => p.source && detecting.has(p.source));
    return (row.kind === 'events' ? 1000 : 0) + (hit ? 0 : 100) + (i < 0 ? 50 : i);
  };
  // at most three subjects per signal, fourteen series and six event rows: readable, not exhaustive
  const perSignal = new Map<string, number>();
  return out
    .sort((a, b) => rank(a) - rank(b) || a.key.localeCompare(b.key))
    .filter((row) => {
      const s = row.key.split('|')[0]!;
      const n = (perSignal.get(s) ?? 0) + 1;
      perSignal.set(s, n);
      return n <= 3;
    })
    .filter((row, i, all) => (row.kind === 'events' ? all.filter((x) => x.kind === 'events').indexOf(row) < 6 : all.filter((x) => x.kind !== 'events').indexOf(row) < 14));
}

const PHASE_COLOR: Record<string, string> = {
  provision: '#d0d7de',
  baseline: '#b6e3ff',
  inject: '#ff8182',
  observe: '#ffcecb',
  remediate: '#fae17d',
  revert: '#a5d6ff',
  recover: '#aceebb',
  verify: '#d8b9ff',
  cleanup: '#d0d7de',
};

function niceStep(spanMs: number): number {
  for (const s of [5, 10, 15, 30, 60, 120, 300, 600, 1200]) if (spanMs / (s * 1000) <= 12) return s * 1000;
  return 1_800_000;
}

function timeline(r: RunRecord): string {
  const W = 1240;
  const L = 250; // label gutter
  const R = 20;
  const rs = rows(r);
  const start = Math.min(r.startedAt || r.timeline.baselineFrom, r.timeline.baselineFrom || Infinity);
  const end = Math.max(r.timeline.endAt, ...r.observations.map((o) => o.at), start + 1000);
  const x = (t: number) => L + ((Math.max(start, Math.min(end, t)) - start) / (end - start)) * (W - L - R);
  const ROW = 38;
  const TOP = 70;
  const H = TOP + rs.length * ROW + 40;
  const parts: string[] = [];
  // axis
  const step = niceStep(end - start);
  for (let t = 0; t <= end - start; t += step) {
    const xx = x(start + t);
    parts.push(`<line x1="${xx}" y1="${TOP - 6}" x2="${xx}" y2="${H - 30}" stroke="#eaeef2"/>`);
    parts.push(`<text x="${xx}" y="${H - 14}" text-anchor="middle" fill="#57606a">${formatDuration(t)}</text>`);
  }
  // the fault's band, and the remediation steps inside it
  const { injectedAt, verifiedAt, revertedAt, recoveredAt } = r.timeline;
  if (injectedAt !== undefined) {
    const to = revertedAt ?? end;
    parts.push(`<rect x="${x(injectedAt)}" y="${TOP - 6}" width="${Math.max(2, x(to) - x(injectedAt))}" height="${H - TOP - 24}" fill="#ff818233"/>`);
  }
  for (const st of r.steps) {
    const a = x(st.startedAt);
    const b = x(st.endedAt ?? revertedAt ?? end);
    parts.push(`<rect x="${a}" y="${TOP - 6}" width="${Math.max(2, b - a)}" height="${H - TOP - 24}" fill="#fae17d55"/>`);
    parts.push(`<text x="${a + 3}" y="${TOP + 6}" fill="#7d4e00" font-weight="600">step ${st.index + 1}</text>`);
  }
  // phases band
  const phases = r.phases.filter((p) => p.phase !== 'done');
  phases.forEach((p, i) => {
    const a = x(p.at);
    const b = x(phases[i + 1]?.at ?? end);
    parts.push(`<rect x="${a}" y="14" width="${Math.max(1, b - a)}" height="22" fill="${PHASE_COLOR[p.phase] ?? '#eaeef2'}" stroke="#fff"/>`);
    if (b - a > 48) parts.push(`<text x="${(a + b) / 2}" y="30" text-anchor="middle" fill="#1b1f24">${p.phase}</text>`);
  });
  parts.push(`<text x="${L - 10}" y="30" text-anchor="end" font-weight="600">phases</text>`);
  const mark = (t: number | undefined, label: string, color: string, y: number) => {
    if (t === undefined) return;
    parts.push(`<line x1="${x(t)}" y1="${TOP - 10}" x2="${x(t)}" y2="${H - 30}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${x(t) + 3}" y="${y}" fill="${color}" font-weight="700">${label}</text>`);
  };
  mark(injectedAt, 'injected', '#cf222e', 52);
  mark(verifiedAt, 'verified', '#bc4c00', 64);
  mark(revertedAt, 'reverted', '#0969da', 52);
  mark(recoveredAt, 'recovered', '#1a7f37', 64);
  // series
  rs.forEach((row, i) => {
    const y0 = TOP + i * ROW;
    parts.push(`<text x="${L - 10}" y="${y0 + ROW / 2 + 4}" text-anchor="end">${esc(row.label.length > 38 ? `${row.label.slice(0, 37)}…` : row.label)}</text>`);
    parts.push(`<line x1="${L}" y1="${y0 + ROW - 2}" x2="${W - R}" y2="${y0 + ROW - 2}" stroke="#f0f2f4"/>`);
    if (row.kind === 'events') {
      for (const o of row.points) parts.push(`<line x1="${x(o.at)}" y1="${y0 + 8}" x2="${x(o.at)}" y2="${y0 + ROW - 8}" stroke="#6639ba" stroke-width="1.5"><title>${esc(`${o.subject}: ${(o.text ?? '').slice(0, 200)}`)}</title></line>`);
      return;
    }
    if (row.kind === 'boolean') {
      for (const o of row.points) {
        const ok = (o.value ?? 0) >= 1;
        parts.push(`<circle cx="${x(o.at)}" cy="${y0 + ROW / 2}" r="3.5" fill="${ok ? '#1a7f37' : '#cf222e'}"><title>${esc(`${o.subject}: ${o.text ?? o.value}`)}</title></circle>`);
      }
      return;
    }
    const vals = row.points.map((o) => o.value ?? 0);
    const max = Math.max(...vals, 1e-9);
    const y = (v: number) => y0 + ROW - 6 - (v / max) * (ROW - 12);
    const pts = row.points.map((o) => `${x(o.at).toFixed(1)},${y(o.value ?? 0).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="#0969da" stroke-width="1.5"/>`);
    for (const o of row.points.filter((p) => p.text && /fail|error|timeout|no answer|refused/i.test(p.text))) parts.push(`<circle cx="${x(o.at)}" cy="${y(o.value ?? 0)}" r="3" fill="#cf222e"><title>${esc(o.text!)}</title></circle>`);
    parts.push(`<text x="${W - R}" y="${y0 + 11}" text-anchor="end" fill="#8c959f">max ${Math.round(max)}</text>`);
  });
  // a numbered mark where each expectation was detected
  r.results.forEach((e, i) => {
    if (e.detectedAt === undefined) return;
    const xx = x(e.detectedAt);
    const color = e.verdict === 'pass' ? '#1a7f37' : e.verdict === 'fail' ? '#cf222e' : '#9a6700';
    parts.push(`<line x1="${xx}" y1="${TOP - 6}" x2="${xx}" y2="${H - 30}" stroke="${color}" stroke-dasharray="4 3"/>`);
    parts.push(`<circle cx="${xx}" cy="${TOP - 14}" r="9" fill="${color}"/><text x="${xx}" y="${TOP - 10}" text-anchor="middle" fill="#fff" font-weight="700">${i + 1}</text>`);
  });
  return `<svg class="timeline" role="img" aria-label="timeline of ${esc(r.scenario.id)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

function section(r: RunRecord): string {
  const v = r.verdict ?? 'unfinished';
  const src = r.scenario.source;
  const clock = new Map(r.sources.map((s) => [s.key, s.clock]));
  const rowsHtml = r.results
    .map((e, i) => {
      const c = e.source ? clock.get(e.source) : undefined;
      const overhead = e.seenAt !== undefined && e.detectedAt !== undefined && c?.kind === 'event' ? formatDuration(Math.max(0, e.seenAt - e.detectedAt)) : c?.kind === 'poll' ? `polled every ${formatDuration(c.periodMs)}` : '—';
      const n = e.detectedAt !== undefined ? `<b>${i + 1}</b>` : '';
      return `<tr><td class="num">${n}</td><td class="v-${e.verdict}">${e.verdict.toUpperCase()}</td><td>${esc(e.name)}</td><td class="num">${e.latencyMs !== undefined ? formatDuration(e.latencyMs) : e.recoveryMs !== undefined ? formatDuration(e.recoveryMs) : ''}</td><td class="num">${overhead}</td><td>${esc(e.detail)}</td></tr>`;
    })
    .join('');
  return `<section class="drill" id="${esc(r.scenario.id)}">
<h1><span class="badge ${v}">${v.toUpperCase()}</span>${esc(r.scenario.id)}</h1>
<p class="meta">${esc(r.scenario.title)}</p>
<p class="meta">${src ? `after <a href="${esc(src.url)}">${esc(src.title)}</a>${src.author ? ` by ${esc(src.author)}` : ''}${src.publisher ? ` (${esc(src.publisher)})` : ''} · ` : ''}${esc(r.target.description ?? r.target.provider)} · ${r.durationMs !== undefined ? formatDuration(r.durationMs) : 'stopped before its end'} · ${esc(new Date(r.startedAt).toISOString())}</p>
${r.reasons.length ? `<ul class="reasons">${r.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}
<div class="evidence"><b>fault:</b> ${esc(r.fault.description)}${r.fault.evidence ? `\n<b>${r.fault.inEffect ? 'in effect' : 'NOT in effect'}:</b> ${esc(r.fault.evidence)}` : ''}${r.steps.map((st) => `\n<b>step ${st.index + 1}</b> ${esc(st.title)}: ${esc(st.evidence ?? '')}`).join('')}</div>
${timeline(r)}
<table><thead><tr><th>#</th><th>verdict</th><th>expectation</th><th>latency</th><th>kdrill's own delay</th><th>detail</th></tr></thead><tbody>${rowsHtml}</tbody></table>
${Object.keys(r.probes).length ? `<table><thead><tr><th>probe</th><th>result</th></tr></thead><tbody>${Object.entries(r.probes).map(([k, p]) => `<tr><td>${esc(k)}</td><td>${esc(p.detail)}</td></tr>`).join('')}</tbody></table>` : ''}
</section>`;
}
