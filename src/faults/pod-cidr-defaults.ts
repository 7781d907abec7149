import YAML from 'yaml';
import type { JournalEntry } from '../journal.js';
import { kubeOf, nodesOf, nodesWithRole } from '../targets/target.js';
import { writeNodeFileChange } from '../changes/node-file.js';
import { adjustObject, changeObject, recordObject, type ObjectId } from '../changes/kube-object.js';
import { CONTROLLER_MANAGER_MANIFEST, manifestFlag } from '../signals/cidr-agreement.js';
import { isCidr } from '../util/cidr.js';
import { sleep } from '../util/sleep.js';
import type { Fault, Injection } from './fault.js';

const KUBE_PROXY_CM: ObjectId = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'kube-proxy' };
const KUBE_PROXY_DS: ObjectId = { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'kube-system', name: 'kube-proxy' };

/** The static pod manifest with one flag's value replaced (the text otherwise untouched). */
export function withFlag(manifest: string, flag: string, value: string): string {
  const pod = YAML.parse(manifest) as { spec: { containers: { command: string[] }[] } };
  const cmd = pod.spec.containers[0]!.command;
  const i = cmd.findIndex((a) => a.startsWith(`${flag}=`));
  if (i < 0) cmd.push(`${flag}=${value}`);
  else cmd[i] = `${flag}=${value}`;
  return YAML.stringify(pod);
}

/**
 * "kubespray had run successfully, with the default variables": the pod
 * CIDR moves to kubespray's kube_pods_subnet in the controller-manager's
 * --cluster-cidr (its manifest on every control plane) and in kube-proxy's
 * clusterCIDR (its ConfigMap, then its pods restarted to read it), while the
 * nodes keep their podCIDRs (immutable) and the CNI stays on the intended
 * range. Verified by measurement: every node's kube-proxy rules name the new
 * range, and a controller-manager process ran with the new flag. Reverted: the
 * manifests (the controllers come back), then the ConfigMap, then kube-proxy
 * (rolled back to its own template, reading the restored ConfigMap).
 */
export function podCidrFromDefaults(opts: { cidr?: string } = {}): Fault {
  const cidr = opts.cidr ?? '10.233.64.0/18';
  if (!isCidr(cidr)) throw new TypeError(`podCidrFromDefaults.cidr: expected an IPv4 CIDR, got "${cidr}"`);
  return {
    name: 'podCidrFromDefaults',
    needs: ['kube.api', 'node.fs'],
    describe: () => `the controller-manager's --cluster-cidr and kube-proxy's clusterCIDR set to kubespray's default ${cidr}; nodes keep their podCIDRs`,
    async inject({ target, journal, log, abort }): Promise<Injection> {
      const kube = kubeOf(target);
      const cps = nodesWithRole(target, 'control-plane');
      const nodes = [...nodesOf(target).values()];
      const entries: JournalEntry[] = [];
      // kube-proxy first, while the controller-manager is still healthy (its DaemonSet controller rolls kube-proxy out;
      // once the controller-manager crash-loops nothing would). Its DaemonSet is journaled before its ConfigMap and the
      // manifests after both, so that reverting puts the manifests back first (the controllers return), then the
      // ConfigMap, then the DaemonSet, whose rollout back to its own template reads the restored ConfigMap.
      const ds = await recordObject(journal, kube, KUBE_PROXY_DS);
      entries.push(ds.entry);
      const cm = await changeObject(journal, kube, KUBE_PROXY_CM, (cur) => {
        const c = cur as { data?: Record<string, string> } | null;
        if (!c?.data?.['config.conf']) throw new Error('kube-system/kube-proxy has no config.conf');
        const conf = YAML.parse(c.data['config.conf']) as Record<string, unknown>;
        conf.clusterCIDR = cidr;
        return { ...c, data: { ...c.data, 'config.conf': YAML.stringify(conf) } };
      });
      entries.push(cm.entry);
      const injectedAt = cm.appliedAt;
      const restartedAt = new Date().toISOString();
      await adjustObject(journal, ds.entry, kube, (cur) => {
        const d = JSON.parse(JSON.stringify(cur)) as { spec: { template: { metadata?: { annotations?: Record<string, string> } } } };
        d.spec.template.metadata ??= {};
        d.spec.template.metadata.annotations = { ...d.spec.template.metadata.annotations, 'kdrill.dev/restarted-at': restartedAt };
        return d as unknown as Record<string, unknown>;
      });
      log(`kube-proxy clusterCIDR → ${cidr}; its pods restarted to read it`);
      // verified by measurement: every node's kube-proxy rules name the new range (it masquerades traffic to Services from outside it)
      const proxyRules = async (n: (typeof nodes)[number]) => (await n.exec(['sh', '-c', `iptables-save -t nat | grep -c -- "-s ${cidr}" || true`])).stdout.trim() !== '0';
      const proxyDeadline = Date.now() + 180_000;
      let proxyOn: string[] = [];
      while (!abort.aborted) {
        proxyOn = [];
        for (const n of nodes) if (await proxyRules(n)) proxyOn.push(n.name);
        if (proxyOn.length === nodes.length || Date.now() > proxyDeadline) break;
        await sleep(1000, abort);
      }
      const proxySeen = proxyOn.length === nodes.length;
      let was = '';
      for (const node of cps) {
        const f = await node.readFile(CONTROLLER_MANAGER_MANIFEST);
        if (!f) throw new Error(`${node.name} has no ${CONTROLLER_MANAGER_MANIFEST}`);
        const text = f.content.toString('utf8');
        was = manifestFlag(text, '--cluster-cidr') ?? '(none)';
        const { entry } = await writeNodeFileChange(journal, node, CONTROLLER_MANAGER_MANIFEST, withFlag(text, '--cluster-cidr', cidr), f.mode);
        entries.push(entry);
        log(`${node.name}: kube-controller-manager --cluster-cidr ${was} → ${cidr}`);
      }
      // ... and a controller-manager process ran with the new flag (it may crash soon after: that is the point)
      const deadline = Date.now() + 90_000;
      let cmSeen = false;
      while (Date.now() < deadline && !abort.aborted && !cmSeen) {
        for (const n of cps) if ((await n.processes('kube-controller-manager')).some((p) => p.argv.includes(`--cluster-cidr=${cidr}`))) cmSeen = true;
        if (!cmSeen) await sleep(500, abort);
      }
      const inEffect = cmSeen && proxySeen;
      return {
        injectedAt,
        inEffect,
        verifiedAt: inEffect ? Date.now() : undefined,
        evidence:
          `kube-proxy's iptables name ${cidr} on ${proxyOn.length}/${nodes.length} nodes; ` +
          `kube-controller-manager ${cmSeen ? 'ran' : 'was NOT seen running'} with --cluster-cidr=${cidr} (was ${was})`,
        subjects: cps.map((n) => n.name),
        measurements: { cidr, was },
        revert: () => journal.revertEntries(entries),
      };
    },
  };
}
