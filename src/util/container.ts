import { execa } from 'execa';

/**
 * Thin, idempotent wrappers over the docker CLI for single containers and
 * networks. "Already in that state" is success, so callers (fault reverts,
 * journal replay) can run them any number of times.
 */

export interface ContainerState {
  exists: boolean;
  id?: string;
  running?: boolean;
  paused?: boolean;
  pid?: number;
  exitCode?: number;
  networks?: string[];
}

const NO_SUCH = /no such (container|object|network)|not found/i;

/** Every container and network kdrill creates carries this label (its value: who, e.g. "kdrill"). */
export const OWNER_LABEL = 'dev.kdrill.owner';
/** ... and this one, the run that created it. */
export const RUN_LABEL = 'dev.kdrill.run';

async function docker(args: string[], opts: { allow?: RegExp } = {}): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const r = await execa('docker', args, { reject: false, timeout: 120_000 });
  if (r.exitCode === 0) return { ok: true, stdout: r.stdout, stderr: r.stderr };
  if (opts.allow && opts.allow.test(r.stderr)) return { ok: false, stdout: r.stdout, stderr: r.stderr };
  throw new Error(`docker ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
}

export async function inspectContainer(container: string): Promise<ContainerState> {
  const r = await docker(['container', 'inspect', '--format', '{{json .}}', container], { allow: NO_SUCH });
  if (!r.ok) return { exists: false };
  const j = JSON.parse(r.stdout) as {
    Id: string;
    State: { Running: boolean; Paused: boolean; Pid: number; ExitCode: number };
    NetworkSettings: { Networks: Record<string, unknown> | null };
  };
  return {
    exists: true,
    id: j.Id,
    running: j.State.Running,
    paused: j.State.Paused,
    pid: j.State.Pid,
    exitCode: j.State.ExitCode,
    networks: Object.keys(j.NetworkSettings.Networks ?? {}),
  };
}

/** A label of a container: null when the container does not exist, undefined when it lacks the label. */
export async function containerLabel(container: string, label: string): Promise<string | null | undefined> {
  const r = await docker(['container', 'inspect', '--format', `{{json .Config.Labels}}`, container], { allow: NO_SUCH });
  if (!r.ok) return null;
  const labels = JSON.parse(r.stdout || 'null') as Record<string, string> | null;
  return labels?.[label];
}

export async function removeContainer(container: string): Promise<void> {
  await docker(['rm', '-f', '-v', container], { allow: NO_SUCH });
}

export async function removeNetwork(network: string): Promise<void> {
  await docker(['network', 'rm', network], { allow: NO_SUCH });
}

export async function networkExists(network: string): Promise<boolean> {
  return (await docker(['network', 'inspect', '--format', '{{.Id}}', network], { allow: NO_SUCH })).ok;
}

export async function killContainer(container: string, signal = 'KILL'): Promise<void> {
  const s = await inspectContainer(container);
  if (!s.exists || !s.running) return;
  await docker(['kill', '--signal', signal, container], { allow: /is not running/i });
}

export async function startContainer(container: string): Promise<void> {
  const s = await inspectContainer(container);
  if (!s.exists || s.running) return;
  await docker(['start', container]);
}

export async function pauseContainer(container: string): Promise<void> {
  const s = await inspectContainer(container);
  if (!s.exists || !s.running || s.paused) return;
  await docker(['pause', container], { allow: /is already paused/i });
}

export async function unpauseContainer(container: string): Promise<void> {
  const s = await inspectContainer(container);
  if (!s.exists || !s.paused) return;
  await docker(['unpause', container], { allow: /is not paused/i });
}

export async function disconnectNetwork(container: string, network: string): Promise<void> {
  const s = await inspectContainer(container);
  if (!s.exists || !s.networks?.includes(network)) return;
  await docker(['network', 'disconnect', '--force', network, container], { allow: /is not connected/i });
}

export async function connectNetwork(container: string, network: string, aliases: string[] = []): Promise<void> {
  const s = await inspectContainer(container);
  if (!s.exists || s.networks?.includes(network)) return;
  if (!(await networkExists(network))) return;
  const args = ['network', 'connect'];
  for (const a of aliases) args.push('--alias', a);
  await docker([...args, network, container], { allow: /already exists in network|endpoint with name .* already exists/i });
}

/** Containers (running or not) carrying a label, e.g. `dev.kdrill.run=<id>`. */
export async function containersWithLabel(label: string): Promise<string[]> {
  const r = await docker(['ps', '-a', '--filter', `label=${label}`, '--format', '{{.Names}}']);
  return r.stdout.split('\n').filter(Boolean);
}

export async function networksWithLabel(label: string): Promise<string[]> {
  const r = await docker(['network', 'ls', '--filter', `label=${label}`, '--format', '{{.Name}}']);
  return r.stdout.split('\n').filter(Boolean);
}

/** The container's IP address on `network` (empty when not connected). */
export async function containerIp(container: string, network: string): Promise<string> {
  const r = await docker(['container', 'inspect', '--format', `{{with index .NetworkSettings.Networks ${JSON.stringify(network)}}}{{.IPAddress}}{{end}}`, container], { allow: NO_SUCH });
  return r.ok ? r.stdout.trim() : '';
}

/**
 * Whether a NEW TCP connection from inside `container`'s network namespace to
 * host:port succeeds within `timeoutMs` (nsenter from the host, so the
 * container needs no shell or tools).
 */
export async function tcpReachableFrom(container: string, host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  const s = await inspectContainer(container);
  if (!s.running || !s.pid) throw new Error(`${container} is not running: cannot test connectivity from it`);
  const r = await execa('nsenter', ['-t', String(s.pid), '-n', 'timeout', String(timeoutMs / 1000), 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`], { reject: false });
  return r.exitCode === 0;
}
