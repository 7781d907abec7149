import { changeObject } from '../changes/kube-object.js';
import { kubeOf, nodesWithRole } from '../targets/target.js';
import { sleep } from '../util/sleep.js';
import type { Fault, Injection } from './fault.js';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  [k: string]: unknown;
}

/** The role's rules without `verb` on `resource` (in `group`); rules left with no verb go. */
export function withoutVerb(rules: Rule[], resource: string, verb: string, group = ''): Rule[] {
  return rules
    .map((r) => ((r.apiGroups ?? ['']).includes(group) && (r.resources ?? []).includes(resource) ? { ...r, verbs: r.verbs.filter((v) => v !== verb) } : r))
    .filter((r) => r.verbs.length > 0);
}

/**
 * IAM-like, through RBAC: a ClusterRole loses one verb on one resource (a
 * controller's bootstrap role, e.g. system:controller:replicaset-controller
 * loses `create pods`). The whole role is journaled, rules and annotations
 * (rbac.authorization.kubernetes.io/autoupdate, which decides whether the API
 * server puts bootstrap rules back when it starts), and restored exactly. In
 * effect when the API server's authorizer says the controller's service
 * account may no longer do it (a SubjectAccessReview).
 */
export function removeRbacPermission(opts: { clusterRole: string; resource: string; verb: string; group?: string; serviceAccount: string }): Fault {
  const id = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: opts.clusterRole };
  const user = opts.serviceAccount;
  return {
    name: 'removeRbacPermission',
    needs: ['kube.api'],
    describe: () => `remove "${opts.verb} ${opts.resource}" from ClusterRole ${opts.clusterRole} (${user})`,
    async inject({ target, journal, log, abort }): Promise<Injection> {
      const kube = kubeOf(target);
      const ask = async () =>
        (await kube.clients.authorization.createSubjectAccessReview({
          body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, groups: ['system:serviceaccounts', 'system:authenticated'], resourceAttributes: { namespace: 'default', verb: opts.verb, resource: opts.resource, group: opts.group ?? '' } } },
        })).status?.allowed === true;
      const before = await ask();
      const { entry, appliedAt, result: prior } = await changeObject(journal, kube, id, (cur) => {
        if (!cur) throw new Error(`ClusterRole ${opts.clusterRole} does not exist`);
        return { ...cur, rules: withoutVerb((cur.rules as Rule[]) ?? [], opts.resource, opts.verb, opts.group) };
      });
      const autoupdate = ((prior?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {})['rbac.authorization.kubernetes.io/autoupdate'];
      log(`ClusterRole ${opts.clusterRole}: "${opts.verb} ${opts.resource}" removed (autoupdate annotation: ${autoupdate ?? 'absent'})`);
      // the authorizer works from an informer's cache: ask until it says no (seconds), with a deadline
      const deadline = Date.now() + 30_000;
      let allowed = true;
      while (!abort.aborted && Date.now() < deadline && (allowed = await ask())) await sleep(500, abort);
      const inEffect = before && !allowed;
      return {
        injectedAt: appliedAt,
        inEffect,
        verifiedAt: inEffect ? Date.now() : undefined,
        evidence: `${user} may ${opts.verb} ${opts.resource}: ${before ? 'yes' : 'NO (already)'} before, ${allowed ? 'STILL yes' : 'no'} after (the API server's SubjectAccessReview); autoupdate ${autoupdate ?? 'absent'}`,
        subjects: [user],
        measurements: { autoupdate: autoupdate ?? 'absent' },
        revert: () => journal.revert(entry),
      };
    },
  };
}

/**
 * A remediation step: restart the API server on every control plane (its
 * process killed; the kubelet starts it again). At start the API server
 * reconciles the bootstrap RBAC roles whose autoupdate annotation is true:
 * nothing to journal, nothing to undo. In effect when every control plane runs
 * a new kube-apiserver and the API answers.
 */
export function restartApiServer(): Fault {
  return {
    name: 'restartApiServer',
    needs: ['kube.api', 'node.fs'],
    describe: () => 'restart the API server on every control plane (kill it; the kubelet starts it again)',
    async inject({ target, abort }): Promise<Injection> {
      const cps = nodesWithRole(target, 'control-plane');
      const before = new Map<string, number>();
      for (const n of cps) before.set(n.name, (await n.processes('kube-apiserver')).pop()?.startTicks ?? 0);
      const injectedAt = Date.now();
      for (const n of cps) await n.exec(['pkill', '-TERM', '-x', 'kube-apiserver']);
      const deadline = Date.now() + 3 * 60_000;
      const fresh = new Set<string>();
      let answers = false;
      while (!abort.aborted && Date.now() < deadline && !(fresh.size === cps.length && answers)) {
        for (const n of cps) if (((await n.processes('kube-apiserver')).pop()?.startTicks ?? 0) > before.get(n.name)!) fresh.add(n.name);
        if (fresh.size === cps.length) answers = await kubeOf(target).clients.core.listNamespace({ limit: 1 }).then(() => true, () => false);
        if (!(fresh.size === cps.length && answers)) await sleep(500, abort);
      }
      const inEffect = fresh.size === cps.length && answers;
      return {
        injectedAt,
        inEffect,
        verifiedAt: inEffect ? Date.now() : undefined,
        evidence: `a new kube-apiserver on ${fresh.size}/${cps.length} control plane(s); the API ${answers ? 'answers' : 'does NOT answer'} ${((Date.now() - injectedAt) / 1000).toFixed(1)}s after the kill`,
        subjects: cps.map((n) => n.name),
        measurements: {},
        revert: async () => undefined,
      };
    },
  };
}

