import { etcdOf } from '../targets/target.js';
import type { EtcdMember } from '../targets/etcd-target.js';
import { nodeProcessSource } from '../signals/kube-procs.js';
import type { Observation } from '../signals/observation.js';
import type { Probe, ProbeResult } from './probe.js';
import { callLoop, type Call } from './outage.js';
import { formatDuration, parseDuration, type Duration } from '../util/duration.js';

export interface EtcdLiveOptions {
  /** A killed etcd counts as live when /livez answered 200 within this long before its exit (default 30s). */
  within?: Duration;
  /** The probe's own patience per ask: today's kubeadm liveness timeoutSeconds (default 15s). */
  timeout?: Duration;
}

/** One member's /livez answers and etcd process states, as the judge needs them. */
export interface MemberLives {
  name: string;
  /** every /livez ask, answered or not (`at` = asked, `ms` = how long the answer took) */
  calls: readonly Call[];
  /** proc.state observations of the member's etcd ('start' / 'exit'), any order */
  states: readonly Pick<Observation, 'at' | 'text'>[];
}

export interface LivesVerdict {
  ok: boolean;
  /** some /livez ask was answered (200 or not) during the fault: else nothing was judged */
  conclusive: boolean;
  killed: number;
  liveAtKill: number;
  unanswered: number;
  /** /livez latencies (ms) of the 200s answered during the fault, sorted */
  during: number[];
  /** their median, -1 if none */
  medianMs: number;
  /** per restarted etcd: start to its first 200 (ms) */
  boots: number[];
  lines: string[];
}

/**
 * Judge etcd process lives (pure): every process that exited during the fault
 * must have answered 200 in its last `withinMs` (the kubelet killed a live
 * etcd, not a hung one). A life never killed must have answered: during the
 * fault if it ran through all of it, by the end of the run if it started during
 * the fault (on a slow disk it may still be booting at the revert).
 */
export function judgeEtcdLives(members: readonly MemberLives[], window: { from: number; to: number }, withinMs: number): LivesVerdict {
  const answered = (c: Call) => c.at + c.ms; // judged by when the answer came
  const v: LivesVerdict = { ok: false, conclusive: false, killed: 0, liveAtKill: 0, unanswered: 0, during: [], medianMs: -1, boots: [], lines: [] };
  for (const m of members) {
    if (m.calls.some((c) => c.at >= window.from && answered(c) <= window.to)) v.conclusive = true;
    const oks = m.calls.filter((c) => c.ok);
    v.during.push(...oks.filter((c) => c.at >= window.from && answered(c) <= window.to).map((c) => c.ms));
    const okIn = (from: number, to: number) => oks.filter((c) => answered(c) >= from && answered(c) < to);
    const states = m.states
      .filter((o) => (o.text === 'exit' || o.text === 'start') && o.at > window.from && o.at <= window.to)
      .sort((a, b) => a.at - b.at);
    let lifeFrom = window.from;
    const verdicts: string[] = [];
    for (const s of states) {
      if (s.text === 'exit') {
        const live = okIn(Math.max(lifeFrom, s.at - withinMs), s.at + 1000).length > 0;
        v.killed++;
        if (live) v.liveAtKill++;
        verdicts.push(live ? 'live' : 'NOT live');
      } else {
        const first = okIn(s.at, Infinity)[0];
        if (first) v.boots.push(answered(first) - s.at);
        lifeFrom = s.at;
      }
    }
    const last = states[states.length - 1];
    if (!last ? okIn(window.from, window.to).length === 0 : last.text === 'start' && okIn(last.at, Infinity).length === 0) v.unanswered++;
    v.lines.push(`${m.name}: ${verdicts.length ? `killed ${verdicts.length}× (${verdicts.join(', ')})` : 'never killed'}`);
  }
  v.during.sort((a, b) => a - b);
  if (v.during.length) v.medianMs = v.during[Math.floor(v.during.length / 2)]!;
  v.ok = v.liveAtKill === v.killed && v.unanswered === 0;
  return v;
}

/**
 * Was the etcd that the kubelet killed alive? Alive by the definition kubeadm
 * adopted after incident 001: etcd's /livez on the metrics port (127.0.0.1:2381
 * inside the node) answers 200 within the liveness probe's 15 s. Asked every
 * 2 s, one ask at a time per member, for the whole run, and once more at the
 * end: the run may end (recovered: /metrics answered) between two asks, just
 * as a restarted etcd comes up.
 *
 * Judged per etcd process life, read from the node's /proc (proc.state
 * exit/start): see judgeEtcdLives. The detail gives each restarted etcd's boot
 * time (start to its first 200) and /livez latencies: on a slow disk they are
 * what the kill costs.
 */
export function etcdLive(opts: EtcdLiveOptions = {}): Probe {
  const withinMs = parseDuration(opts.within ?? '30s', 'etcdLive.within');
  const timeoutMs = parseDuration(opts.timeout ?? '15s', 'etcdLive.timeout');
  return {
    name: 'etcdLive',
    needs: ['etcd'],
    // each etcd process life, from the nodes' /proc
    sources: [nodeProcessSource()],
    describe: () => `etcd answered /livez (${formatDuration(timeoutMs)}) in the last ${formatDuration(withinMs)} of every life the fault ended`,
    async start({ target, observations, abort }) {
      const ask = (m: EtcdMember) => async () => {
        const t0 = Date.now();
        const ok = await m.metricsGet('/livez', timeoutMs).then(() => true, () => false);
        return { ok, ms: Date.now() - t0 };
      };
      const loops = etcdOf(target).members.map((m) => ({ member: m, loop: callLoop(ask(m), 2000, abort) }));
      const halt = async () => void (await Promise.all(loops.map((l) => l.loop.stop())));
      return {
        stop: halt,
        async verify(window): Promise<ProbeResult> {
          await halt();
          // the end of the run: one last ask, so a life that came up after the loop's last ask is heard
          await Promise.all(loops.map((l) => l.loop.once()));
          const procStates = observations.all().filter((o) => o.signal === 'proc.state');
          const v = judgeEtcdLives(
            loops.map(({ member: m, loop }) => ({ name: m.name, calls: loop.calls, states: procStates.filter((o) => o.subject === `${m.name}/etcd`) })),
            window,
            withinMs,
          );
          const detail =
            `${v.lines.join('; ')}; /livez answered 200 ${v.during.length}× during the fault` +
            (v.during.length ? ` (median ${formatDuration(v.medianMs)}, max ${formatDuration(v.during[v.during.length - 1]!)})` : '') +
            (v.boots.length ? `; a restarted etcd first answered after ${v.boots.map((b) => formatDuration(b)).join(', ')}` : '') +
            (v.unanswered ? `; ${v.unanswered} etcd life never answered, not even at the end of the run` : '');
          return {
            ok: v.ok,
            conclusive: v.conclusive,
            detail,
            counts: { killed: v.killed, liveAtKill: v.liveAtKill, answeredDuringFault: v.during.length, medianLivezMs: Math.round(v.medianMs), maxBootMs: v.boots.length ? Math.max(...v.boots) : -1 },
          };
        },
      };
    },
  };
}
