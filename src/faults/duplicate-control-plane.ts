import YAML from 'yaml';
import type { JournalEntry } from '../journal.js';
import { kubeOf, nodesOf, nodesWithRole } from '../targets/target.js';
import { writeNodeFileChange } from '../changes/node-file.js';
import { changeObject, createObject } from '../changes/kube-object.js';
import { ensureAgentImage } from '../image/index.js';
import { CNI_DIR } from '../signals/cni-configs.js';
import type { Component } from '../signals/kube-conditions.js';
import { ipInCidr, isCidr } from '../util/cidr.js';
import { sleep } from '../util/sleep.js';
import type { Fault, Injection } from './fault.js';
import { journalCniLeftover, leftoverConflist, LEFTOVER_BRIDGE, newPodAddresses } from './cni-configs.js';

const MANIFESTS = '/etc/kubernetes/manifests';
/** The copies' names: the kubelet runs a static pod per manifest name, so a copy needs a name of its own. */
export const DUPLICATE_SUFFIX = '-kdrill-dup';
const PORTS: Record<Exclude<Component, 'etcd'>, { port: number; copy: number }> = {
  'kube-apiserver': { port: 6443, copy: 6444 },
  'kube-controller-manager': { port: 10257, copy: 10357 },
  'kube-scheduler': { port: 10259, copy: 10359 },
};

interface StaticPod {
  metadata: { name: string; [k: string]: unknown };
  spec: { containers: { command: string[]; ports?: { name?: string; containerPort: number }[] }[] };
}

/** A second copy of a control-plane static pod: its own name and (with ownPorts) its own serving port. */
export function duplicateManifest(manifest: string, component: keyof typeof PORTS, ownPorts: boolean): string {
  const pod = YAML.parse(manifest) as StaticPod;
  pod.metadata.name = `${pod.metadata.name}${DUPLICATE_SUFFIX}`;
  if (ownPorts) {
    const { copy } = PORTS[component];
    const c = pod.spec.containers[0]!;
    c.command = [...c.command.filter((a) => !a.startsWith('--secure-port=')), `--secure-port=${copy}`];
    for (const p of c.ports ?? []) if (p.name === 'probe-port') p.containerPort = copy;
  }
  return YAML.stringify(pod);
}

/**
 * "I now had two copies of all the control plane pods": a second
 * kube-apiserver, controller-manager and scheduler static pod on every
 * control plane, each on its own port (or, with ownPorts false, on the
 * original's: then the copies only crash-loop on "address already in use").
 * In effect when two processes of each component run on every control plane.
 */
export function duplicateControlPlane(opts: { components?: (keyof typeof PORTS)[]; ownPorts?: boolean } = {}): Fault {
  const components = opts.components ?? ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
  const ownPorts = opts.ownPorts ?? true;
  return {
    name: 'duplicateControlPlane',
    needs: ['kube.api', 'node.fs'],
    describe: () => `a second copy of ${components.join(', ')} on every control plane${ownPorts ? ', each on its own port' : ', byte for byte on the same ports'}`,
    async inject({ target, journal, log, abort }): Promise<Injection> {
      const cps = nodesWithRole(target, 'control-plane');
      const entries: JournalEntry[] = [];
      let injectedAt = 0;
      for (const node of cps) {
        for (const c of components) {
          const f = await node.readFile(`${MANIFESTS}/${c}.yaml`);
          if (!f) throw new Error(`${node.name} has no ${MANIFESTS}/${c}.yaml`);
          const path = `${MANIFESTS}/${c}${DUPLICATE_SUFFIX}.yaml`;
          const { entry, appliedAt } = await writeNodeFileChange(journal, node, path, duplicateManifest(f.content.toString('utf8'), c, ownPorts), f.mode);
          injectedAt ||= appliedAt;
          entries.push(entry);
          log(`${node.name}: ${path}${ownPorts ? ` (port ${PORTS[c].copy})` : ' (same ports)'}`);
        }
      }
      // two processes of each component on every control plane (procfs has no watch: 500 ms)
      const deadline = Date.now() + 120_000;
      let missing: string[] = [];
      for (;;) {
        missing = [];
        for (const n of cps) for (const c of components) if ((await n.processes(c)).length < 2) missing.push(`${n.name}/${c}`);
        if (!missing.length || Date.now() > deadline || abort.aborted) break;
        await sleep(500, abort);
      }
      const inEffect = missing.length === 0;
      return {
        injectedAt,
        inEffect,
        verifiedAt: inEffect ? Date.now() : undefined,
        evidence: inEffect ? `two of each of ${components.join(', ')} run on ${cps.length} control plane(s)` : `no second process after 120 s: ${missing.join(', ')}`,
        subjects: cps.map((n) => n.name),
        measurements: { copies: components.length * cps.length },
        revert: () => journal.revertEntries(entries),
      };
    },
  };
}

export const SECOND_CNI = 'kdrill-second-cni';

/**
 * "Two CNI plugins running at the same time": a second CNI's DaemonSet (its
 * installer writes its own config into every node's /etc/cni/net.d, as CNI
 * installers do, and stays) beside the real one. Journaled first: every
 * node's /etc/cni/net.d, the second network's IPAM state and bridge, then the
 * DaemonSet. In effect when a fresh pod on every node gets an address from
 * the second CNI's range.
 */
export function secondCni(opts: { file?: string; subnet?: string; network?: string } = {}): Fault {
  const file = opts.file ?? '10-calico.conflist';
  const subnet = opts.subnet ?? '10.233.64.0/18';
  const network = opts.network ?? 'k8s-pod-network';
  if (!isCidr(subnet)) throw new TypeError(`secondCni.subnet: expected an IPv4 CIDR, got "${subnet}"`);
  return {
    name: 'secondCni',
    needs: ['kube.api', 'node.fs'],
    describe: () => `a second CNI DaemonSet (${SECOND_CNI}) that writes ${file} (${subnet}) into every node's ${CNI_DIR}`,
    async inject({ target, journal, log, abort, runId }): Promise<Injection> {
      const kube = kubeOf(target);
      const nodes = [...nodesOf(target).values()];
      const entries: JournalEntry[] = [];
      for (const node of nodes) entries.push(...(await journalCniLeftover(journal, node, network, async () => undefined)).entries);
      const conf = leftoverConflist({ network, subnet, bridge: LEFTOVER_BRIDGE });
      const labels = { app: SECOND_CNI, 'app.kubernetes.io/managed-by': 'kdrill' };
      const { entry, appliedAt } = await createObject(journal, kube, {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: SECOND_CNI, namespace: 'kube-system', labels },
        spec: {
          selector: { matchLabels: { app: SECOND_CNI } },
          template: {
            metadata: { labels },
            spec: {
              hostNetwork: true, // a CNI's own pods must start while pod networking is broken
              tolerations: [{ operator: 'Exists' }],
              terminationGracePeriodSeconds: 0,
              containers: [
                {
                  name: 'install-cni',
                  image: await ensureAgentImage(),
                  imagePullPolicy: 'Never',
                  args: ['cni-install', '-dir', '/host/etc/cni/net.d', '-name', file, '-conf', conf],
                  volumeMounts: [{ name: 'cni-net-dir', mountPath: '/host/etc/cni/net.d' }],
                },
              ],
              volumes: [{ name: 'cni-net-dir', hostPath: { path: CNI_DIR } }],
            },
          },
        },
      });
      entries.push(entry);
      // its installer has written the file on every node
      const deadline = Date.now() + 90_000;
      let without: string[] = [];
      for (;;) {
        without = [];
        for (const n of nodes) if (!(await n.list(CNI_DIR)).includes(file)) without.push(n.name);
        if (!without.length || Date.now() > deadline || abort.aborted) break;
        await sleep(1000, abort);
      }
      log(`${SECOND_CNI}: ${file} on ${nodes.length - without.length}/${nodes.length} nodes`);
      const pods = without.length ? [] : await newPodAddresses({ target, journal, runId, abort }, nodes, 'verify-cni2');
      const wrong = pods.filter((p) => ipInCidr(p.ip, subnet));
      const inEffect = !without.length && wrong.length === nodes.length;
      return {
        injectedAt: appliedAt,
        inEffect,
        verifiedAt: inEffect ? Date.now() : undefined,
        evidence: without.length
          ? `${file} not written on ${without.join(', ')} within 90 s`
          : `${file} on every node; new pods: ${pods.map((p) => `${p.node} → ${p.ip || 'none'}`).join(', ')} (${wrong.length}/${nodes.length} in ${subnet})`,
        subjects: nodes.map((n) => n.name),
        measurements: { secondCniNodes: nodes.length - without.length },
        revert: () => journal.revertEntries(entries),
      };
    },
  };
}

/**
 * "Scale the second CNI plugin to 0 pods": a DaemonSet has no replicas, so a
 * nodeSelector that matches no node (journaled). In effect when none of its
 * pods is left. Its config file stays on every node: pods do not clean up
 * what their installer wrote.
 */
export function scaleDaemonSetToZero(opts: { name: string; namespace: string }): Fault {
  const id = { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: opts.namespace, name: opts.name };
  return {
    name: 'scaleDaemonSetToZero',
    needs: ['kube.api'],
    describe: () => `"scale" DaemonSet ${opts.namespace}/${opts.name} to zero (a nodeSelector that matches no node)`,
    async inject({ target, journal, abort }): Promise<Injection> {
      const kube = kubeOf(target);
      const { entry, appliedAt } = await changeObject(journal, kube, id, (cur) => {
        if (!cur) throw new Error(`DaemonSet ${opts.namespace}/${opts.name} does not exist`);
        const d = JSON.parse(JSON.stringify(cur)) as { spec: { template: { spec: { nodeSelector?: Record<string, string> } } } };
        d.spec.template.spec.nodeSelector = { ...d.spec.template.spec.nodeSelector, 'kdrill.dev/scaled-to': 'zero' };
        return d as unknown as Record<string, unknown>;
      });
      const deadline = Date.now() + 90_000;
      let left = -1;
      for (;;) {
        left = (await kube.clients.core.listNamespacedPod({ namespace: opts.namespace, labelSelector: `app=${opts.name}` })).items.filter((p) => !p.metadata?.deletionTimestamp).length;
        if (left === 0 || Date.now() > deadline || abort.aborted) break;
        await sleep(1000, abort);
      }
      return {
        injectedAt: appliedAt,
        inEffect: left === 0,
        verifiedAt: left === 0 ? Date.now() : undefined,
        evidence: left === 0 ? `no ${opts.name} pod left` : `${left} ${opts.name} pod(s) still there after 90 s`,
        subjects: [],
        measurements: {},
        revert: () => journal.revert(entry),
      };
    },
  };
}

/**
 * "Fix the multiple control plane pods": the copies' manifests removed, by
 * undoing exactly the fault's own records for them (the final revert then
 * has nothing left to do for them). In effect when one process of each
 * component is left on every control plane.
 */
export function removeDuplicateControlPlane(): Fault {
  return {
    name: 'removeDuplicateControlPlane',
    needs: ['node.fs'],
    describe: () => `remove the copies (${MANIFESTS}/*${DUPLICATE_SUFFIX}.yaml) from every control plane`,
    async inject({ target, journal, abort }): Promise<Injection> {
      const mine = journal.pending().filter((e) => e.record.type === 'node-file' && String((e.record as { path?: string }).path).endsWith(`${DUPLICATE_SUFFIX}.yaml`));
      const injectedAt = Date.now();
      await journal.revertEntries(mine);
      const cps = nodesWithRole(target, 'control-plane');
      const deadline = Date.now() + 120_000;
      let extra: string[] = [];
      for (;;) {
        extra = [];
        for (const n of cps) for (const c of Object.keys(PORTS)) if ((await n.processes(c)).length > 1) extra.push(`${n.name}/${c}`);
        if (!extra.length || Date.now() > deadline || abort.aborted) break;
        await sleep(500, abort);
      }
      return {
        injectedAt,
        inEffect: mine.length > 0 && extra.length === 0,
        verifiedAt: extra.length === 0 ? Date.now() : undefined,
        evidence: `${mine.length} copies removed; ${extra.length ? `still two of ${extra.join(', ')}` : 'one of each component left'}`,
        subjects: cps.map((n) => n.name),
        measurements: {},
        revert: async () => undefined, // what it undid was the fault's own change: nothing of its own to take back
      };
    },
  };
}
