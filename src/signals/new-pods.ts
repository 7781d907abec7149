import { ensureAgentImage } from '../image/index.js';
import { kubeOf, nodesOf } from '../targets/target.js';
import { drillNamespace, echoService } from '../probes/drill-workloads.js';
import { probePod, runProbePod } from '../probes/probe-pods.js';
import { ipInCidr } from '../util/cidr.js';
import { parseDuration, type Duration } from '../util/duration.js';
import { sleep } from '../util/sleep.js';
import type { Source } from './signal.js';

interface Netcheck {
  ip?: string;
  results?: Record<string, { ok: boolean; error?: string; latencyMs?: number }>;
}

/**
 * What happens to a pod created now, on every node, every `every`: a fresh
 * pod pinned to the node asks each echo pod on the *other* nodes directly by
 * pod IP, and the echo Service by its ClusterIP, then is deleted. Emits per
 * node: "newpod.started" (1 ran, 0 never ran: the kubelet's reason as text),
 * "newpod.cidr" (1 its address is in the node's podCIDR), "newpod.peer" (1
 * every peer on another node answered), "newpod.service" (1 the Service
 * answered), dated when the pod's check finished (the cluster's clock).
 * The postmortem's "endless CrashLoopBackOff for all new pods", as a measurement.
 */
export function newPodsSource(opts: { every?: Duration } = {}): Source {
  const everyMs = parseDuration(opts.every ?? '15s', 'newPodsSource.every');
  return {
    key: `new-pods:${everyMs}`,
    needs: ['kube.api', 'node.fs'],
    clock: { kind: 'poll', periodMs: everyMs },
    async start(ctx) {
      const { target, log, abort } = ctx;
      const kube = kubeOf(target);
      const image = await ensureAgentImage();
      const namespace = await drillNamespace(ctx);
      const echo = await echoService(ctx);
      const nodes = [...nodesOf(target).values()];
      const cidrs = new Map((await kube.clients.core.listNode()).items.map((n) => [n.metadata!.name!, n.spec?.podCIDRs ?? [n.spec?.podCIDR ?? '']]));
      let stopped = false;
      let seq = 0;
      const round = async (node: (typeof nodes)[number]) => {
        const peers = echo.pods.filter((p) => p.node !== node.name).map((p) => `http://${p.ip}:8080/`);
        const service = `http://${echo.clusterIP}/`;
        const name = `np-${node.name.replace(/^kdrill-/, '').slice(-30)}-${seq}`.replace(/[^a-z0-9-]/g, '-');
        const r = await runProbePod(kube, probePod({ namespace, name, node: node.name, image, args: ['netcheck', '-timeout', '3s', '-tries', '2', ...peers, service] }), 45_000, abort);
        const at = r.askedAt;
        const subject = node.name;
        if (!r.log) {
          log.emit({ signal: 'newpod.started', subject, at, value: 0, text: `${r.name}: never ran (${r.why ?? r.phase})` });
          return;
        }
        log.emit({ signal: 'newpod.started', subject, at, value: 1, text: r.name });
        let j: Netcheck = {};
        try {
          j = JSON.parse(r.log.trim().split('\n').pop() ?? '{}') as Netcheck;
        } catch {
          /* an unreadable answer counts as no answer */
        }
        const ip = j.ip || r.ip;
        const inside = (cidrs.get(node.name) ?? []).some((c) => ipInCidr(ip, c));
        log.emit({ signal: 'newpod.cidr', subject, at, value: inside ? 1 : 0, text: `${r.name} got ${ip || 'no address'} (node podCIDR ${(cidrs.get(node.name) ?? []).join(',')})` });
        const res = j.results ?? {};
        if (peers.length) {
          const failed = peers.filter((u) => !res[u]?.ok);
          log.emit({ signal: 'newpod.peer', subject, at, value: failed.length ? 0 : 1, text: failed.length ? `${r.name} (${ip}) could not reach ${failed.join(', ')}: ${res[failed[0]!]?.error ?? 'no answer'}` : `${r.name} (${ip}) reached ${peers.length} peer(s) on other nodes` });
        }
        log.emit({ signal: 'newpod.service', subject, at, value: res[service]?.ok ? 1 : 0, text: `${r.name} (${ip}) → ${service}: ${res[service]?.ok ? 'answered' : (res[service]?.error ?? 'no answer')}` });
      };
      const loop = (async () => {
        while (!stopped && !abort.aborted) {
          const t0 = Date.now();
          seq++;
          await Promise.all(nodes.map((n) => round(n).catch(() => undefined)));
          await sleep(Math.max(0, everyMs - (Date.now() - t0)), abort);
        }
      })();
      return {
        stop: async () => {
          stopped = true;
          await loop;
        },
      };
    },
  };
}
