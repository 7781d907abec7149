import { request } from 'node:http';
import { nodesOf } from '../targets/target.js';
import { echoService } from './drill-workloads.js';
import type { Probe, ProbeResult } from './probe.js';
import { callLoop, judgeOutage } from './outage.js';
import { formatDuration, parseDuration, type Duration } from '../util/duration.js';

export interface ServiceAnswersOptions {
  /** Interval between calls (default 250ms). */
  every?: Duration;
  /** Per-call timeout (default 2s). */
  timeout?: Duration;
  /** Longest run of failed calls tolerated, in time (default 2s). */
  maxOutage?: Duration;
}

function get(url: string, timeoutMs: number): Promise<{ ok: boolean; ms: number; err?: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    // agent:false: a new connection per call, so every call goes through Service routing again
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ok: res.statusCode === 200, ms: performance.now() - t0, err: res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}` }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs}ms`)));
    req.on('error', (e) => resolve({ ok: false, ms: performance.now() - t0, err: e.message }));
    req.end();
  });
}

/**
 * The data plane keeps serving: an echo Service (NodePort, 2 replicas on the
 * workers) called from outside the cluster every 250 ms through every
 * worker's node IP, as users reach it. Emits "service.call" observations;
 * judged over the fault window: no outage longer than maxOutage.
 */
export function serviceAnswers(opts: ServiceAnswersOptions = {}): Probe {
  const everyMs = parseDuration(opts.every ?? '250ms', 'serviceAnswers.every');
  const timeoutMs = parseDuration(opts.timeout ?? '2s', 'serviceAnswers.timeout');
  const maxOutageMs = parseDuration(opts.maxOutage ?? '2s', 'serviceAnswers.maxOutage');
  return {
    name: 'serviceAnswers',
    needs: ['kube.api', 'node.fs'],
    describe: () => `echo Service answers through its NodePort every ${formatDuration(everyMs)} (outage ≤ ${formatDuration(maxOutageMs)})`,
    async start({ target, observations, abort, journal, runId }) {
      const { nodePort } = await echoService({ target, journal, runId });
      const nodes = [...nodesOf(target).values()];
      const workers = nodes.filter((n) => n.role === 'worker').map((n) => n.ip);
      const ips = workers.length ? workers : nodes.map((n) => n.ip);
      let i = 0;
      const loop = callLoop(() => get(`http://${ips[i++ % ips.length]!}:${nodePort}/`, timeoutMs), everyMs, abort, (c) =>
        observations.emit({ signal: 'service.call', subject: 'echo', at: c.at, value: c.ms, text: c.err }),
      );
      return {
        stop: () => loop.stop(),
        verify: async (window): Promise<ProbeResult> => judgeOutage('calls', loop.calls, window, maxOutageMs),
      };
    },
  };
}
