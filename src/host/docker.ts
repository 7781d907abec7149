import { execa } from 'execa';
import { KdrillError } from '../util/errors.js';
import { execa as interruptible } from '../util/exec.js';

const START_HINT =
  'start one with `sudo bash scripts/setup-host.sh` (installs Debian\'s docker.io and starts dockerd, ' +
  'with a runc wrapper when the host lacks CAP_SYS_RESOURCE), or point DOCKER_HOST at a running daemon';

export interface DockerInfo {
  serverVersion: string;
  defaultRuntime: string;
  cgroupVersion: string;
}

/** Fails with a clear, actionable error when no Docker daemon answers. */
export async function ensureDocker(): Promise<DockerInfo> {
  let out: string;
  try {
    const r = await execa('docker', ['info', '--format', '{{json .}}'], { timeout: 30_000 });
    out = r.stdout;
  } catch (e: unknown) {
    const err = e as { code?: string; stderr?: string };
    if (err.code === 'ENOENT') {
      throw new KdrillError('the docker command is not installed', { hint: START_HINT });
    }
    throw new KdrillError(`no Docker daemon answers (${(err.stderr ?? '').trim().split('\n')[0] || 'docker info failed'})`, {
      hint: START_HINT,
    });
  }
  const info = JSON.parse(out) as { ServerVersion?: string; DefaultRuntime?: string; CgroupVersion?: string; ServerErrors?: string[] };
  if (!info.ServerVersion) {
    throw new KdrillError(`no Docker daemon answers (${(info.ServerErrors ?? []).join('; ')})`, { hint: START_HINT });
  }
  return { serverVersion: info.ServerVersion, defaultRuntime: info.DefaultRuntime ?? '', cgroupVersion: info.CgroupVersion ?? '' };
}

export async function imageExists(ref: string): Promise<boolean> {
  const r = await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], { reject: false });
  return r.exitCode === 0;
}

export async function imageLabel(ref: string, label: string): Promise<string | undefined> {
  const r = await execa('docker', ['image', 'inspect', '--format', `{{index .Config.Labels ${JSON.stringify(label)}}}`, ref], {
    reject: false,
  });
  if (r.exitCode !== 0) return undefined;
  const v = r.stdout.trim();
  return v === '' || v === '<no value>' ? undefined : v;
}

export async function imageSize(ref: string): Promise<number> {
  const r = await execa('docker', ['image', 'inspect', '--format', '{{.Size}}', ref]);
  return Number(r.stdout.trim());
}

export async function tagImage(src: string, dst: string): Promise<void> {
  await execa('docker', ['tag', src, dst]);
}

/**
 * `docker build` of a context directory whose Dockerfile only starts FROM
 * scratch or FROM an image already present here: nothing is pulled. The
 * legacy builder is used so that no BuildKit frontend image is needed.
 */
export async function buildImage(contextDir: string, tags: string[], labels: Record<string, string> = {}): Promise<void> {
  const args = ['build', '--pull=false', '-q'];
  for (const t of tags) args.push('-t', t);
  for (const [k, v] of Object.entries(labels)) args.push('--label', `${k}=${v}`);
  args.push(contextDir);
  await interruptible('docker', args, { env: { DOCKER_BUILDKIT: '0' } });
}
