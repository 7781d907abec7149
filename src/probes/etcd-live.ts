import { etcdMetricsPortGet, type KindTarget } from '../targets/kind-etcd.js';
import type { Probe, ProbeResult } from './probe.js';
import { callLoop, type Call } from './outage.js';
import { formatDuration, parseDuration, type Duration } from '../util/duration.js';

export interface EtcdLiveOptions {
  /** A killed etcd counts as live when /livez answered 200 within this long before its exit (default 30s). */
  within?: Duration;
  /** The probe's own patience per ask: today's kubeadm liveness timeoutSeconds (default 15s). */
  timeout?: Duration;
}

/**
 * Was the etcd that the kubelet killed alive? Alive by the definition kubeadm
 * adopted after incident 001: etcd's /livez on the metrics port (127.0.0.1:2381
 * inside the node) answers 200 within the liveness probe's 15 s. Asked every
 * 2 s, one ask at a time per member, for the whole run.
 *
 * Judged per etcd process life, read from the node's /proc (proc.state
 * exit/start): every process that exited during the fault must have answered
 * 200 in its last `within` — the kubelet killed a live etcd, not a hung one.
 * A life never killed must have answered: during the fault if it ran through
 * all of it, by the end of the run if it was restarted during the fault (it
 * may still be booting at the revert). The detail gives each restarted etcd's
 * boot time (start to its first 200) and /livez latencies: on a slow disk they
 * are what the kill costs.
 */
export function etcdLive(opts: EtcdLiveOptions = {}): Probe<KindTarget> {
  const withinMs = parseDuration(opts.within ?? '30s', 'etcdLive.within');
  const timeoutMs = parseDuration(opts.timeout ?? '15s', 'etcdLive.timeout');
  return {
    name: 'etcdLive',
    describe: () => `etcd answered /livez (${formatDuration(timeoutMs)}) in the last ${formatDuration(withinMs)} of every life the fault ended`,
    async start({ target, observations, abort }) {
      const loops = target.members.map((m) => ({
        member: m,
        loop: callLoop(
          async () => {
            const t0 = Date.now();
            const ok = await etcdMetricsPortGet(m.container, '/livez', timeoutMs).then(() => true, () => false);
            return { ok, ms: Date.now() - t0 };
          },
          2000,
          abort,
        ),
      }));
      const halt = async () => void (await Promise.all(loops.map((l) => l.loop.stop())));
      return {
        stop: halt,
        async verify(window): Promise<ProbeResult> {
          await halt();
          const answered = (c: Call) => c.at + c.ms; // judged by when the answer came
          const lines: string[] = [];
          let killed = 0;
          let liveAtKill = 0;
          let unanswered = 0;
          const boots: number[] = [];
          const during: number[] = [];
          for (const { member: m, loop } of loops) {
            const oks = loop.calls.filter((c) => c.ok);
            during.push(...oks.filter((c) => c.at >= window.from && answered(c) <= window.to).map((c) => c.ms));
            const okIn = (from: number, to: number) => oks.filter((c) => answered(c) >= from && answered(c) < to);
            const states = observations
              .all()
              .filter((o) => o.signal === 'proc.state' && o.subject === `${m.name}/etcd` && (o.text === 'exit' || o.text === 'start') && o.at > window.from && o.at <= window.to)
              .sort((a, b) => a.at - b.at);
            let lifeFrom = window.from;
            const verdicts: string[] = [];
            for (const s of states) {
              if (s.text === 'exit') {
                const live = okIn(Math.max(lifeFrom, s.at - withinMs), s.at + 1000).length > 0;
                killed++;
                if (live) liveAtKill++;
                verdicts.push(live ? 'live' : 'NOT live');
              } else {
                const first = okIn(s.at, Infinity)[0];
                if (first) boots.push(answered(first) - s.at);
                lifeFrom = s.at;
              }
            }
            // a life never killed: one through the whole fault must answer during it; one restarted during the
            // fault may still be booting on the slow disk at the revert (a minute, measured), so by the end of the run
            const last = states[states.length - 1];
            if (!last ? okIn(window.from, window.to).length === 0 : last.text === 'start' && okIn(last.at, Infinity).length === 0) unanswered++;
            lines.push(`${m.name}: ${verdicts.length ? `killed ${verdicts.length}× (${verdicts.join(', ')})` : 'never killed'}`);
          }
          during.sort((a, b) => a - b);
          const median = during.length ? during[Math.floor(during.length / 2)]! : -1;
          const detail =
            `${lines.join('; ')}; /livez answered 200 ${during.length}× during the fault` +
            (during.length ? ` (median ${formatDuration(median)}, max ${formatDuration(during[during.length - 1]!)})` : '') +
            (boots.length ? `; a restarted etcd first answered after ${boots.map((b) => formatDuration(b)).join(', ')}` : '') +
            (unanswered ? `; ${unanswered} etcd life never answered` : '');
          return {
            ok: liveAtKill === killed && unanswered === 0,
            conclusive: loops.some((l) => l.loop.calls.some((c) => c.at >= window.from && answered(c) <= window.to)),
            detail,
            counts: { killed, liveAtKill, answeredDuringFault: during.length, medianLivezMs: Math.round(median), maxBootMs: boots.length ? Math.max(...boots) : -1 },
          };
        },
      };
    },
  };
}
