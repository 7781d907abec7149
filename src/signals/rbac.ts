import { kubeOf } from '../targets/target.js';
import { drillNamespace } from '../probes/drill-workloads.js';
import { sleep } from '../util/sleep.js';
import type { Condition, Source } from './signal.js';
import { kubeEventSource } from './kube-events.js';

export interface Permission {
  /** e.g. system:serviceaccount:kube-system:replicaset-controller */
  user: string;
  verb: string;
  resource: string;
  group?: string;
}

export function describePermission(p: Permission): string {
  return `${p.user} may ${p.verb} ${p.group ? `${p.resource}.${p.group}` : p.resource}`;
}

/**
 * Whether a user (a controller's service account) may do something, asked of
 * the API server's own authorizer (a SubjectAccessReview, in the run's
 * namespace) every 2 s: "rbac.allowed" (subject: the user; value 1/0; text the
 * authorizer's reason). The answer the controller itself gets, not our
 * reading of the roles.
 */
export function permissionSource(p: Permission): Source {
  return {
    key: `kube.rbac:${p.user}:${p.verb}:${p.group ?? ''}:${p.resource}`,
    needs: ['kube.api'],
    clock: { kind: 'poll', periodMs: 2000 },
    async start(ctx) {
      const { target, log, abort } = ctx;
      const { authorization } = kubeOf(target).clients;
      const namespace = await drillNamespace(ctx);
      const groups = p.user.startsWith('system:serviceaccount:')
        ? ['system:serviceaccounts', `system:serviceaccounts:${p.user.split(':')[2]}`, 'system:authenticated']
        : ['system:authenticated'];
      let stopped = false;
      const loop = (async () => {
        while (!stopped && !abort.aborted) {
          const t0 = Date.now();
          try {
            const r = await authorization.createSubjectAccessReview({
              body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: p.user, groups, resourceAttributes: { namespace, verb: p.verb, resource: p.resource, group: p.group ?? '' } } },
            });
            const allowed = r.status?.allowed === true;
            log.emit({ signal: 'rbac.allowed', subject: p.user, at: Date.now(), value: allowed ? 1 : 0, text: `${describePermission(p)}: ${allowed ? 'allowed' : 'denied'}${r.status?.reason ? ` (${r.status.reason})` : ''}` });
          } catch {
            /* the API away: nothing asked, nothing said */
          }
          await sleep(Math.max(0, 2000 - (Date.now() - t0)), abort);
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

/** The user lacks the permission (the authorizer says no). */
export function permissionMissing(p: Permission): Condition {
  return {
    name: `${describePermission(p)}: denied`,
    kind: 'level',
    sources: [permissionSource(p)],
    test: (o) => (o.signal === 'rbac.allowed' && o.subject === p.user ? o.value === 0 : undefined),
  };
}

/** The user has the permission again (the positive, for a step that heals it). */
export function permissionGranted(p: Permission): Condition {
  return { ...permissionMissing(p), name: `${describePermission(p)}: allowed`, test: (o) => (o.signal === 'rbac.allowed' && o.subject === p.user ? o.value === 1 : undefined) };
}

/** A controller's Event in the run's namespace saying it was forbidden to act ("FailedCreate ... forbidden"). */
export function controllerForbidden(opts: { reason?: RegExp } = {}): Condition {
  const reason = opts.reason ?? /FailedCreate/;
  return {
    name: `a controller's Event says it is forbidden (${reason.source})`,
    kind: 'event',
    sources: [kubeEventSource({ namespace: 'run' })],
    test: (o) => (o.signal === 'kube.event' && reason.test(o.text ?? '') && /forbidden/i.test(o.text ?? '') ? true : undefined),
  };
}
