import { nodeProcessSource } from '../signals/kube-procs.js';
import { kubeEventSource } from '../signals/kube-events.js';
import type { Probe, ProbeResult } from './probe.js';
import { livenessArithmetic, livenessRestartPeriodMs } from '../targets/etcd-probes.js';
import type { Component } from '../signals/kube-conditions.js';
import { formatDuration } from '../util/duration.js';

export interface RestartPeriodOptions {
  component: Component;
  /** The liveness probe that kills it. */
  probe: { initialDelaySeconds: number; periodSeconds: number; timeoutSeconds: number; failureThreshold: number };
  /** How long one failing probe runs when it does not hit timeoutSeconds (etcdctl's own --command-timeout: 5 s). */
  commandTimeoutMs?: number;
  /** Accepted relative error of the median period (default 0.25). */
  tolerance?: number;
}

/**
 * The restart loop runs at the pace the probe arithmetic predicts. Measured:
 * the gaps between the component's process starts on its node (host /proc,
 * from the nodeProcessSource the restarted() condition runs). Predicted:
 * initialDelay + (failureThreshold-1) × max(period, probe) + probe, or the
 * kubelet's restart back-off when that is longer (it counts from the previous
 * exit, so it only shows once it exceeds the time etcd ran: measured periods
 * stayed at ~100 s for 4 restarts, not 10 s doubling on top); the probe's duration is its
 * timeoutSeconds when the kubelet says the probe timed out, else the
 * command's own timeout. The postmortem's failureThreshold × timeoutSeconds is
 * reported beside it. Judged on the median period, every period reported: one
 * probe that passes in etcd's short live window resets the kubelet's failure
 * count and makes one period longer (measured in a CI run: 1m41s, 1m39s, 4m19s).
 */
export function restartPeriod(opts: RestartPeriodOptions): Probe {
  const tolerance = opts.tolerance ?? 0.25;
  return {
    name: 'restartPeriod',
    needs: [],
    // process starts from the nodes' /proc; the kubelet's probe Events say whether the probe timed out
    sources: [nodeProcessSource(), kubeEventSource()],
    describe: () => `${opts.component} restarts at the period the liveness arithmetic predicts (±${Math.round(tolerance * 100)}%)`,
    async start({ observations }) {
      return {
        async stop() {},
        async verify(window): Promise<ProbeResult> {
          const obs = observations.all();
          const starts = obs.filter((o) => o.signal === 'proc.state' && o.text === 'start' && o.subject.endsWith(`/${opts.component}`) && o.at >= window.from).map((o) => o.at);
          const timedOut = obs.some((o) => o.signal === 'kube.event' && /Liveness probe (failed|errored).*timed out/i.test(o.text ?? '') && o.subject.startsWith(`${opts.component}-`));
          const probeMs = timedOut ? opts.probe.timeoutSeconds * 1000 : (opts.commandTimeoutMs ?? 5000);
          const a = livenessArithmetic(opts.probe, probeMs);
          // periods between consecutive starts; the first start after the fault is restart #1
          // the kubelet's back-off counts from the previous container's exit (doBackOff: FinishedAt + back-off), so
          // a liveness kill is restarted at once until the back-off outgrows the time the container ran
          const periods = starts.slice(1).map((s, i) => ({ measured: s - starts[i]!, predicted: livenessRestartPeriodMs(a.startToKillMs, i + 2) }));
          if (periods.length === 0) {
            return {
              ok: false,
              conclusive: false,
              detail: `${starts.length} restart(s) seen: a period needs two (predicted ${formatDuration(a.startToKillMs)}, or the back-off if longer; the postmortem's ${opts.probe.failureThreshold}×${opts.probe.timeoutSeconds}s = ${formatDuration(a.naiveMs)})`,
              counts: { restarts: starts.length },
            };
          }
          const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
          const median = (xs: number[]) => {
            const s = [...xs].sort((x, y) => x - y);
            const m = Math.floor(s.length / 2);
            return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
          };
          const measured = median(periods.map((p) => p.measured));
          const predicted = median(periods.map((p) => p.predicted));
          const err = Math.abs(measured - predicted) / predicted;
          return {
            ok: err <= tolerance,
            conclusive: true,
            detail:
              `${starts.length} restarts; period measured ${periods.map((p) => formatDuration(p.measured)).join(', ')} (median ${formatDuration(measured)}, mean ${formatDuration(mean(periods.map((p) => p.measured)))}) ` +
              `vs predicted ${periods.map((p) => formatDuration(p.predicted)).join(', ')} (median ${formatDuration(predicted)}, error ${(err * 100).toFixed(0)}%): ` +
              `${opts.probe.initialDelaySeconds}s delay + ${opts.probe.failureThreshold - 1}×${formatDuration(a.intervalMs)} + ${formatDuration(probeMs)} probe` +
              `${timedOut ? ' (timed out)' : ' (etcdctl gave up)'}, or the back-off if longer; the postmortem's ${opts.probe.failureThreshold}×${opts.probe.timeoutSeconds}s = ${formatDuration(a.naiveMs)}`,
            counts: {
              restarts: starts.length,
              medianPeriodMs: Math.round(measured),
              meanPeriodMs: Math.round(mean(periods.map((p) => p.measured))),
              predictedPeriodMs: Math.round(predicted),
              startToKillPredictedMs: a.startToKillMs,
              postmortemArithmeticMs: a.naiveMs,
              errorPct: Math.round(err * 100),
            },
          };
        },
      };
    },
  };
}
