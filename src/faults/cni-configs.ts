import { ensureAgentImage } from '../image/index.js';
import type { Journal, JournalEntry } from '../journal.js';
import { kubeOf, nodesOf, type Target } from '../targets/target.js';
import type { ClusterNode } from '../targets/node.js';
import { snapshotNodeDir } from '../changes/node-dir.js';
import { removeNodeFileChange } from '../changes/node-file.js';
import { addNodeLinkChange } from '../changes/node-link.js';
import { drillNamespace } from '../probes/drill-workloads.js';
import { probePod, runProbePod } from '../probes/probe-pods.js';
import { CNI_DIR } from '../signals/cni-configs.js';
import { ipInCidr, isCidr } from '../util/cidr.js';
import type { Fault, Injection } from './fault.js';

/** Which nodes: all of them, all but one (the last worker: "I missed a node"), or by name. */
export type NodeChoice = 'all' | 'all-but-one' | string[];

export function chooseNodes(target: Target, which: NodeChoice): { chosen: ClusterNode[]; left: ClusterNode[] } {
  const all = [...nodesOf(target).values()].sort((a, b) => a.name.localeCompare(b.name));
  let chosen: ClusterNode[];
  if (which === 'all') chosen = all;
  else if (which === 'all-but-one') {
    const missed = [...all].reverse().find((n) => n.role === 'worker') ?? all[all.length - 1]!;
    chosen = all.filter((n) => n !== missed);
  } else chosen = all.filter((n) => which.includes(n.name));
  return { chosen, left: all.filter((n) => !chosen.includes(n)) };
}

export interface CniLeftoverOptions {
  /** the leftover's file name; it must sort before the real CNI's (default 10-calico.conflist, before 10-kindnet.conflist) */
  file?: string;
  /** the range its IPAM hands out (default kubespray's kube_pods_subnet, 10.233.64.0/18) */
  subnet?: string;
  /** its network name (IPAM state goes under /var/lib/cni/networks/<name>; default calico's, k8s-pod-network) */
  network?: string;
  nodes?: NodeChoice;
}

/**
 * A working second plugin's config: Debian's bridge + host-local, so pods get
 * addresses, just from the wrong range. No ipMasq: like calico's conflist,
 * whose daemon (gone with its pods) did the routing and NAT; with ipMasq the
 * bridge plugin would masquerade every packet leaving the range and cross-node
 * pod traffic would still work (measured), hiding the postmortem's failure.
 */
export function leftoverConflist(o: { network: string; subnet: string; bridge: string }): string {
  return JSON.stringify(
    {
      cniVersion: '0.3.1',
      name: o.network,
      plugins: [
        { type: 'bridge', bridge: o.bridge, isGateway: true, ipMasq: false, hairpinMode: true, ipam: { type: 'host-local', ranges: [[{ subnet: o.subnet }]], routes: [{ dst: '0.0.0.0/0' }] } },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

export const LEFTOVER_BRIDGE = 'kdrill-cni0';

/**
 * Journals, on each node, /etc/cni/net.d (restored file for file), the
 * leftover network's IPAM state (removed: it did not exist) and its bridge
 * (deleted), then runs `write` on the node. What a second CNI leaves behind
 * is undone exactly by these three records.
 */
export async function journalCniLeftover(journal: Journal, node: ClusterNode, network: string, write: () => Promise<void>): Promise<{ entries: JournalEntry[]; appliedAt: number }> {
  const ipam = await snapshotNodeDir(journal, node, `/var/lib/cni/networks/${network}`);
  const link = await addNodeLinkChange(journal, node, LEFTOVER_BRIDGE);
  const dir = await snapshotNodeDir(journal, node, CNI_DIR, write);
  return { entries: [ipam.entry, link.entry, dir.entry], appliedAt: dir.appliedAt };
}

/** One fresh pod per node: the address each got (verification by measurement: what containerd really loaded). */
export async function newPodAddresses(ctx: { target: Target; journal: Journal; runId: string; abort: AbortSignal }, nodes: ClusterNode[], tag: string) {
  const kube = kubeOf(ctx.target);
  const namespace = await drillNamespace(ctx);
  const image = await ensureAgentImage();
  return Promise.all(
    nodes.map((n) => runProbePod(kube, probePod({ namespace, name: `${tag}-${n.name.replace(/^kdrill-/, '').slice(-30)}`.replace(/[^a-z0-9-]/g, '-'), node: n.name, image, args: ['netcheck'] }), 30_000, ctx.abort)),
  );
}

/**
 * A second plugin's config left in /etc/cni/net.d, sorting before the real
 * one: containerd loads the lexically first file (and reloads on every
 * change), so every new pod gets an address from the leftover's range while
 * the pods already running keep theirs. In effect when a fresh pod on every
 * chosen node got an address in the leftover's range. Reverted exactly:
 * /etc/cni/net.d as it was, the leftover's IPAM state and bridge removed.
 */
export function cniLeftoverConfig(opts: CniLeftoverOptions = {}): Fault {
  const file = opts.file ?? '10-calico.conflist';
  const subnet = opts.subnet ?? '10.233.64.0/18';
  const network = opts.network ?? 'k8s-pod-network';
  if (!/^[A-Za-z0-9._-]+\.(conf|conflist|json)$/.test(file)) throw new TypeError(`cniLeftoverConfig.file: expected a CNI config file name (*.conf, *.conflist, *.json), got "${file}"`);
  if (!isCidr(subnet)) throw new TypeError(`cniLeftoverConfig.subnet: expected an IPv4 CIDR, got "${subnet}"`);
  return {
    name: 'cniLeftoverConfig',
    needs: ['kube.api', 'node.fs'],
    describe: () => `leave a second plugin's ${file} (bridge + host-local on ${subnet}) in ${CNI_DIR} on ${opts.nodes === undefined || opts.nodes === 'all' ? 'every node' : String(opts.nodes)}`,
    async inject({ target, journal, log, abort, runId }): Promise<Injection> {
      const { chosen } = chooseNodes(target, opts.nodes ?? 'all');
      const conf = leftoverConflist({ network, subnet, bridge: LEFTOVER_BRIDGE });
      const entries: JournalEntry[] = [];
      let injectedAt = 0;
      for (const node of chosen) {
        // the instant the first file begins to be written (not after): a watcher may see it before the write returns
        const j = await journalCniLeftover(journal, node, network, () => node.writeFile(`${CNI_DIR}/${file}`, { content: conf + '\n', mode: 0o644 }));
        entries.push(...j.entries);
        injectedAt ||= j.appliedAt;
        const names = (await node.list(CNI_DIR)).filter((n) => /\.(conf|conflist|json)$/.test(n));
        log(`${node.name}: wrote ${CNI_DIR}/${file}; the directory now reads ${names.join(', ')} (containerd loads the first)`);
      }
      // verified by measurement: a fresh pod on every chosen node gets its address from the leftover's range
      const pods = await newPodAddresses({ target, journal, runId, abort }, chosen, 'verify-cni');
      const wrong = pods.filter((p) => ipInCidr(p.ip, subnet));
      const inEffect = wrong.length === chosen.length;
      return {
        injectedAt,
        inEffect,
        verifiedAt: inEffect ? Date.now() : undefined,
        evidence: `new pods: ${pods.map((p) => `${p.node} → ${p.ip || `none (${p.why ?? p.phase})`}`).join(', ')}; ${wrong.length}/${chosen.length} in the leftover's ${subnet}`,
        subjects: chosen.map((n) => n.name),
        measurements: { nodes: chosen.length, newPodsInLeftoverRange: wrong.length, file, subnet },
        revert: () => journal.revertEntries(entries),
      };
    },
  };
}

/**
 * A remediation step: remove a CNI config file from the chosen nodes
 * (journaled: bytes and mode kept). In effect when the file is gone from each
 * right after; whether something writes it back (kdrill-net rewrites its own
 * 10-kindnet.conflist; upstream kindnetd does not) is the CNI configs
 * watcher's to see.
 */
export function removeCniConfig(opts: { file: string; nodes?: NodeChoice }): Fault {
  return {
    name: 'removeCniConfig',
    needs: ['node.fs'],
    describe: () => `remove ${CNI_DIR}/${opts.file} from ${opts.nodes === undefined || opts.nodes === 'all' ? 'every node' : opts.nodes === 'all-but-one' ? 'every node but one' : String(opts.nodes)}`,
    async inject({ target, journal, log }): Promise<Injection> {
      const { chosen, left } = chooseNodes(target, opts.nodes ?? 'all');
      const entries: JournalEntry[] = [];
      let injectedAt = 0;
      const removed: string[] = [];
      for (const node of chosen) {
        const { entry, result, appliedAt } = await removeNodeFileChange(journal, node, `${CNI_DIR}/${opts.file}`);
        injectedAt ||= appliedAt;
        entries.push(entry);
        if (result) removed.push(node.name);
        log(`${node.name}: ${result ? `removed ${CNI_DIR}/${opts.file}` : `${opts.file} was not there`}`);
      }
      const gone = await Promise.all(chosen.map(async (n) => !(await n.list(CNI_DIR)).includes(opts.file)));
      const inEffect = gone.every(Boolean) && removed.length > 0;
      return {
        injectedAt,
        inEffect,
        verifiedAt: inEffect ? Date.now() : undefined,
        evidence: `removed ${opts.file} on ${removed.join(', ') || 'no node'}${left.length ? `; missed ${left.map((n) => n.name).join(', ')}` : ''}`,
        subjects: chosen.map((n) => n.name),
        measurements: { removed: removed.length, missed: left.map((n) => n.name).join(',') },
        revert: () => journal.revertEntries(entries),
      };
    },
  };
}
