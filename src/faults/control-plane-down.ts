import type { KindTarget } from '../targets/kind-etcd.js';
import { moveNodeFile } from '../cluster/node-files.js';
import { processesInContainer } from '../cluster/host-procs.js';
import type { Fault, Injection } from './fault.js';
import type { JournalEntry } from '../journal.js';
import type { Component } from '../signals/kube-conditions.js';

const MANIFESTS = '/etc/kubernetes/manifests';
const PARKED = '/etc/kubernetes/kdrill-parked';

/**
 * Takes control-plane components away the way an operator (or a bad
 * automation run) would: their static pod manifests are moved out of the
 * kubelet's manifest directory on every control-plane node, so the kubelet
 * stops them. In effect when none of their processes runs anywhere (host
 * /proc) and the API refuses a request. Reverted by moving them back.
 */
export function controlPlaneDown(opts: { components?: Component[]; verifyWithin?: number } = {}): Fault<KindTarget> {
  const components = opts.components ?? ['etcd', 'kube-apiserver'];
  const verifyMs = opts.verifyWithin ?? 90_000;
  return {
    name: 'controlPlaneDown',
    describe: () => `move the ${components.join(' and ')} static pod manifests out of ${MANIFESTS} on every control plane`,
    async inject({ target, journal, log, abort }): Promise<Injection> {
      const cps = [...target.nodes].filter(([, n]) => n.role === 'control-plane');
      const entries: JournalEntry[] = [];
      let injectedAt = 0;
      for (const [node] of cps) {
        for (const c of components) {
          const from = `${MANIFESTS}/${c}.yaml`;
          const to = `${PARKED}/${c}.yaml`;
          const { entry, result: moved } = await journal.change({ type: 'node-file-move', container: node, from, to }, () => moveNodeFile(node, from, to));
          injectedAt ||= Date.now();
          entries.push(entry);
          log(`${node}: ${moved ? `moved ${from} to ${to}` : `${from} was not there`}`);
        }
      }
      // verify: every component's process is gone from every control plane, and the API refuses
      const deadline = Date.now() + verifyMs;
      let running: string[] = [];
      while (Date.now() < deadline && !abort.aborted) {
        running = [];
        for (const [node, n] of cps) for (const c of components) if ((await processesInContainer(n.id, c)).length) running.push(`${node}/${c}`);
        if (!running.length) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const stoppedAt = Date.now();
      let apiAnswered = true;
      if (!running.length && components.includes('kube-apiserver')) {
        apiAnswered = await target.cluster.clients.core.listNamespace().then(
          () => true,
          () => false,
        );
      }
      const inEffect = running.length === 0 && (!components.includes('kube-apiserver') || !apiAnswered);
      return {
        injectedAt,
        inEffect,
        verifiedAt: inEffect ? stoppedAt : undefined,
        evidence: inEffect
          ? `${components.join(', ')} stopped on ${cps.length} control plane(s) ${((stoppedAt - injectedAt) / 1000).toFixed(1)}s after the manifests moved; the API refuses requests`
          : running.length
            ? `still running after ${verifyMs / 1000}s: ${running.join(', ')}`
            : 'the processes stopped but the API still answers',
        subjects: cps.map(([n]) => n),
        measurements: { stopSeconds: Number(((stoppedAt - injectedAt) / 1000).toFixed(1)) },
        revert: async () => {
          for (const e of entries.reverse()) await journal.revert(e);
        },
      };
    },
  };
}
