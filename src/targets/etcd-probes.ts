import { execa } from 'execa';
/**
 * The etcd liveness probe kubeadm wrote in 2018 (incident 001), as it stands
 * in the postmortem: `etcdctl ... get foo`, initialDelaySeconds 15,
 * timeoutSeconds 15, failureThreshold 8, periodSeconds left at its default
 * (10). A linearizable read: on a slow disk it fails while etcd still serves.
 * kdrill's etcd image has no shell (like upstream's), so the command runs
 * etcdctl directly instead of through `/bin/sh -ec`; etcdctl 3.6 speaks v3
 * without ETCDCTL_API=3.
 *
 * The endpoint: kubeadm 2018 wrote `https://[127.0.0.1]:2379`, which
 * etcdctl 3.2 took. etcdctl 3.6 refuses it ("too many colons in address")
 * and gives up after its 5 s dial timeout, on a healthy etcd, every time
 * (measured): with it, the kubelet kills etcd every ~100 s whatever the disk
 * does, and the drill would prove nothing. So the probe names the address
 * kubeadm meant, `https://127.0.0.1:2379`, and provisioning checks that the
 * probe passes on the healthy etcd before any fault (kind-etcd.ts).
 */
export const KUBEADM_2018_ETCD_LIVENESS = {
  exec: {
    command: [
      'etcdctl',
      '--endpoints=https://127.0.0.1:2379',
      '--cacert=/etc/kubernetes/pki/etcd/ca.crt',
      '--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt',
      '--key=/etc/kubernetes/pki/etcd/healthcheck-client.key',
      'get',
      'foo',
    ],
  },
  initialDelaySeconds: 15,
  timeoutSeconds: 15,
  failureThreshold: 8,
  periodSeconds: 10,
};

export interface ExecProbe {
  exec: { command: string[] };
  timeoutSeconds: number;
}

/**
 * Runs an exec probe once the way the kubelet does, inside the container's
 * mount and network namespaces (nsenter from the host into process `pid`),
 * with the probe's own timeout.
 */
export async function runExecProbe(pid: number, probe: ExecProbe): Promise<{ ok: boolean; ms: number; output: string }> {
  const started = Date.now();
  const r = await execa('nsenter', ['-t', String(pid), '-m', '-n', '--', ...probe.exec.command], {
    reject: false,
    all: true,
    timeout: probe.timeoutSeconds * 1000,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    extendEnv: false,
  });
  return { ok: r.exitCode === 0 && !r.timedOut, ms: Date.now() - started, output: (r.all ?? '').trim() };
}

type Container = { name?: string; livenessProbe?: unknown; startupProbe?: unknown };

/** The etcd container of an etcd static pod (parsed YAML). */
function etcdContainer(pod: Record<string, unknown>): Container | undefined {
  return (pod.spec as { containers?: Container[] } | undefined)?.containers?.find((c) => c.name === 'etcd');
}

/** The exec liveness probe of an etcd static pod, if it has one. */
export function etcdExecLivenessProbe(pod: Record<string, unknown>): ExecProbe | undefined {
  const p = etcdContainer(pod)?.livenessProbe as Partial<ExecProbe> | undefined;
  return p?.exec ? (p as ExecProbe) : undefined;
}

/** Rewrites an etcd static pod (parsed YAML) to carry the 2018 probe and no startupProbe (kubeadm had none then). */
export function withKubeadm2018LivenessProbe(pod: Record<string, unknown>): void {
  const etcd = etcdContainer(pod);
  if (!etcd) throw new Error('the etcd static pod has no container named etcd');
  etcd.livenessProbe = structuredClone(KUBEADM_2018_ETCD_LIVENESS);
  delete etcd.startupProbe;
}

export interface LivenessArithmetic {
  /** The postmortem's own arithmetic: failureThreshold × timeoutSeconds. */
  naiveMs: number;
  /** From a container start to the kubelet's kill, when every probe fails after `probeMs`. */
  startToKillMs: number;
  /** Interval between two probe attempts. */
  intervalMs: number;
}

/**
 * When does the kubelet kill a container whose every liveness probe fails?
 * The prober ticks every periodSeconds and a probe that runs longer delays
 * the next one, so attempts are max(period, probe duration) apart, the probe
 * duration being capped by timeoutSeconds. The first attempt comes after
 * initialDelaySeconds; the kill after failureThreshold failures.
 */
export function livenessArithmetic(
  probe: { initialDelaySeconds: number; periodSeconds: number; timeoutSeconds: number; failureThreshold: number },
  probeMs: number,
): LivenessArithmetic {
  const d = Math.min(probeMs, probe.timeoutSeconds * 1000);
  const interval = Math.max(probe.periodSeconds * 1000, d);
  return {
    naiveMs: probe.failureThreshold * probe.timeoutSeconds * 1000,
    intervalMs: interval,
    startToKillMs: probe.initialDelaySeconds * 1000 + (probe.failureThreshold - 1) * interval + d,
  };
}

/** kubelet's restart back-off after the n-th restart (10 s doubling, capped at 5 min), counted from the previous exit. */
export function restartBackoffMs(restartCount: number): number {
  return Math.min(300_000, 10_000 * 2 ** Math.max(0, restartCount - 1));
}

/**
 * Predicted period that ends with the container's n-th restart (n ≥ 2) when the liveness probe keeps killing it:
 * the time from start to kill, or the back-off when that is longer. The kubelet checks the back-off from the
 * previous exit and doubles it after each restart it lets through (10 s before the 2nd, 20 s before the 3rd, ...).
 */
export function livenessRestartPeriodMs(startToKillMs: number, n: number): number {
  return Math.max(startToKillMs, restartBackoffMs(n - 1));
}
