import { execa } from 'execa';
import type { KindTarget } from '../targets/kind-etcd.js';
import type { Probe, ProbeResult } from './probe.js';
import { formatDuration, parseDuration, type Duration } from '../util/duration.js';
import { sleep } from '../util/sleep.js';

export interface EtcdLiveOptions {
  /** A killed etcd counts as live when /livez answered 200 within this long before its exit (default 30s). */
  within?: Duration;
  /** The probe's own patience per ask: today's kubeadm liveness timeoutSeconds (default 15s). */
  timeout?: Duration;
}

interface Ask {
  member: string;
  from: number;
  at: number;
  ok: boolean;
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
 * may still be booting at the revert). The detail
 * gives each restarted etcd's boot time (start to its first 200) and /livez
 * latencies: on a slow disk they are what the kill costs.
 */
export function etcdLive(opts: EtcdLiveOptions = {}): Probe<KindTarget> {
  const withinMs = parseDuration(opts.within ?? '30s', 'etcdLive.within');
  const timeoutMs = parseDuration(opts.timeout ?? '15s', 'etcdLive.timeout');
  return {
    name: 'etcdLive',
    describe: () => `etcd answered /livez (${formatDuration(timeoutMs)}) in the last ${formatDuration(withinMs)} of every life the fault ended`,
    async start({ target, observations, abort }) {
      const asks: Ask[] = [];
      let stopped = false;
      const askLoop = async (member: string, container: string) => {
        while (!stopped && !abort.aborted) {
          const from = Date.now();
          const r = await execa('docker', ['exec', container, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', String(timeoutMs / 1000), 'http://127.0.0.1:2381/livez'], {
            reject: false,
            timeout: timeoutMs + 5000,
          });
          asks.push({ member, from, at: Date.now(), ok: r.exitCode === 0 && r.stdout.trim() === '200' });
          await sleep(2000, abort).catch(() => undefined);
        }
      };
      const loops = target.members.map((m) => askLoop(m.name, m.container));
      const halt = async () => {
        stopped = true;
        await Promise.all(loops);
      };
      return {
        stop: halt,
        async verify(window): Promise<ProbeResult> {
          await halt();
          const lines: string[] = [];
          let killed = 0;
          let liveAtKill = 0;
          let unanswered = 0;
          const boots: number[] = [];
          const during = asks.filter((a) => a.ok && a.from >= window.from && a.at <= window.to).map((a) => a.at - a.from).sort((a, b) => a - b);
          for (const m of target.members) {
            const states = observations
              .all()
              .filter((o) => o.signal === 'proc.state' && o.subject === `${m.name}/etcd` && (o.text === 'exit' || o.text === 'start') && o.at > window.from && o.at <= window.to)
              .sort((a, b) => a.at - b.at);
            const mine = asks.filter((a) => a.member === m.name);
            const okIn = (from: number, to: number) => mine.filter((a) => a.ok && a.at >= from && a.at < to);
            let lifeFrom = window.from;
            const verdicts: string[] = [];
            for (const s of states) {
              if (s.text === 'exit') {
                killed++;
                const live = okIn(Math.max(lifeFrom, s.at - withinMs), s.at + 1000).length > 0;
                if (live) liveAtKill++;
                verdicts.push(live ? 'live' : 'NOT live');
              } else {
                const first = okIn(s.at, window.to + 60_000)[0];
                if (first) boots.push(first.at - s.at);
                lifeFrom = s.at;
              }
            }
            const last = states[states.length - 1];
            if (!last) {
              // one life through the whole fault: it must have answered while the fault was in place
              if (okIn(window.from, window.to).length === 0) unanswered++;
            } else if (last.text === 'start') {
              // restarted during the fault and still running at the revert: it may still have been booting on the
              // slow disk then (a minute, measured), so it must answer by the time the probe stops, not before
              if (okIn(last.at, Infinity).length === 0) unanswered++;
            }
            lines.push(`${m.name}: ${verdicts.length ? `killed ${verdicts.length}× (${verdicts.join(', ')})` : 'never killed'}`);
          }
          const median = during.length ? formatDuration(during[Math.floor(during.length / 2)]!) : '—';
          const max = during.length ? formatDuration(during[during.length - 1]!) : '—';
          const detail =
            `${lines.join('; ')}; /livez answered 200 ${during.length}× during the fault (median ${median}, max ${max})` +
            (boots.length ? `; a restarted etcd first answered after ${boots.map((b) => formatDuration(b)).join(', ')}` : '') +
            (unanswered ? `; ${unanswered} etcd life never answered` : '');
          return {
            ok: liveAtKill === killed && unanswered === 0,
            conclusive: asks.some((a) => a.from >= window.from && a.at <= window.to),
            detail,
            counts: { killed, liveAtKill, answeredDuringFault: during.length, medianLivezMs: during.length ? during[Math.floor(during.length / 2)]! : -1, maxBootMs: boots.length ? Math.max(...boots) : -1 },
          };
        },
      };
    },
  };
}
