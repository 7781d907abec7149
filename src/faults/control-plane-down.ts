import { moveNodeFileChange } from '../changes/node-file-move.js';
import { kubeOf, nodesWithRole } from '../targets/target.js';
import type { Fault, Injection } from './fault.js';
import type { JournalEntry } from '../journal.js';
import type { Component } from '../signals/kube-conditions.js';
import { sleep } from '../util/sleep.js';

const MANIFESTS = '/etc/kubernetes/manifests';
const PARKED = '/etc/kubernetes/kdrill-parked';

/**
 * Takes control-plane components away the way an operator (or a bad
 * automation run) would: their static pod manifests are moved out of the
 * kubelet's manifest directory on every control-plane node, so the kubelet
 * stops them. In effect when none of their processes runs anywhere (the
 * nodes' /proc) and the API refuses a request. Reverted by moving them back:
 * through node access that needs no API server (node.offline).
 */
export function controlPlaneDown(opts: { components?: Component[]; verifyWithin?: number } = {}): Fault {
  const components = opts.components ?? ['etcd', 'kube-apiserver'];
  const verifyMs = opts.verifyWithin ?? 90_000;
  return {
    name: 'controlPlaneDown',
    needs: ['kube.api', 'node.fs', 'node.offline'],
    describe: () => `move the ${components.join(' and ')} static pod manifests out of ${MANIFESTS} on every control plane`,
    async inject({ target, journal, log, abort }): Promise<Injection> {
      const cps = nodesWithRole(target, 'control-plane');
      const entries: JournalEntry[] = [];
      let injectedAt = 0;
      for (const node of cps) {
        for (const c of components) {
          const from = `${MANIFESTS}/${c}.yaml`;
          const to = `${PARKED}/${c}.yaml`;
          const { entry, result: moved, appliedAt } = await moveNodeFileChange(journal, node, from, to);
          injectedAt ||= appliedAt;
          entries.push(entry);
          log(`${node.name}: ${moved ? `moved ${from} to ${to}` : `${from} was not there`}`);
        }
      }
      // verify: every component's process is gone from every control plane (procfs has no watch: 500 ms), and the API refuses
      const deadline = Date.now() + verifyMs;
      let running: string[] = [];
      while (Date.now() < deadline && !abort.aborted) {
        running = [];
        for (const node of cps) for (const c of components) if ((await node.processes(c)).length) running.push(`${node.name}/${c}`);
        if (!running.length) break;
        await sleep(500, abort);
      }
      const stoppedAt = Date.now();
      let apiAnswered = true;
      if (!running.length && components.includes('kube-apiserver')) {
        apiAnswered = await kubeOf(target).clients.core.listNamespace().then(
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
        subjects: cps.map((n) => n.name),
        measurements: { stopSeconds: Number(((stoppedAt - injectedAt) / 1000).toFixed(1)) },
        revert: () => journal.revertEntries(entries),
      };
    },
  };
}
