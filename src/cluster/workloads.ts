import type * as k8s from '@kubernetes/client-node';

/**
 * kdrill's workloads, all from the one FROM-scratch agent image loaded into
 * the cluster (imagePullPolicy Never: nothing is pulled).
 */
export interface EchoOptions {
  namespace: string;
  name?: string;
  image: string;
  replicas?: number;
  /** Spread replicas over nodes, control planes included, so traffic crosses nodes. */
  spreadOverAllNodes?: boolean;
  /** Spread replicas over the workers as evenly as the scheduler can (one per worker when replicas = workers). */
  spreadOverWorkers?: boolean;
}

export const podEnv: k8s.V1EnvVar[] = [
  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
  { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
];

export function echoDeployment(o: EchoOptions): [k8s.V1Deployment, k8s.V1Service] {
  const name = o.name ?? 'echo';
  const labels = { app: name, 'app.kubernetes.io/managed-by': 'kdrill' };
  const dep: k8s.V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: o.namespace, labels },
    spec: {
      replicas: o.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: {
          ...(o.spreadOverAllNodes
            ? {
                tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
                topologySpreadConstraints: [
                  { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: name } } },
                ],
              }
            : o.spreadOverWorkers
              ? {
                  topologySpreadConstraints: [
                    { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: name } } },
                  ],
                }
              : {}),
          containers: [
            {
              name: 'echo',
              image: o.image,
              imagePullPolicy: 'Never',
              args: ['serve', '-addr', ':8080'],
              env: podEnv,
              ports: [{ containerPort: 8080, name: 'http' }],
              readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 2 },
              resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
            },
          ],
        },
      },
    },
  };
  const svc: k8s.V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: o.namespace, labels },
    spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080, name: 'http' }] },
  };
  return [dep, svc];
}

/** A Job whose pod resolves the Service by its DNS name and must get answers from `distinct` backends. */
export function clientJob(o: { namespace: string; name: string; image: string; url: string; distinct: number; attempts?: number }): k8s.V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: o.name, namespace: o.namespace, labels: { 'app.kubernetes.io/managed-by': 'kdrill' } },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: { job: o.name } },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'client',
              image: o.image,
              imagePullPolicy: 'Never',
              args: ['get', '-attempts', String(o.attempts ?? 60), '-every', '1s', '-want-distinct', String(o.distinct), '-within', '90s', o.url],
            },
          ],
        },
      },
    },
  };
}
