import { execa } from '../util/exec.js';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir } from '../util/paths.js';
import { KdrillError } from '../util/errors.js';
import { buildImage, imageExists, imageLabel } from '../host/docker.js';
import { KEY_LABEL } from './scratch-image.js';
import { DEBIAN_SUITE } from './versions.js';
import { debianMirror } from './debian-mirror.js';

export interface RootfsSpec {
  /** Image reference to produce, e.g. kdrill.local/kind-base:bookworm. */
  ref: string;
  /** Debian packages on top of debootstrap's minbase variant. */
  packages: string[];
  /** Shell script run in a chroot of the rootfs after debootstrap (paths are rootfs-relative). */
  chrootScript?: string;
  /** Files to place before the chroot script runs: rootfs path -> host path. */
  copyIn?: Record<string, string>;
  /** Dockerfile metadata instructions (ENV, STOPSIGNAL, ENTRYPOINT, ...). */
  changes?: string[];
  /** Bump to invalidate the cache when the recipe changes. */
  recipe: string;
}

async function sh(cmd: string, args: string[], what: string): Promise<void> {
  try {
    await execa(cmd, args, { env: { DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' } });
  } catch (e: unknown) {
    const err = e as { stderr?: string; stdout?: string };
    const tail = `${err.stdout ?? ''}\n${err.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new KdrillError(`${what} failed:\n${tail}`);
  }
}

/** sha256 over a file's bytes, or a directory tree's relative names, modes and bytes (symlinks by target). */
export function contentHash(path: string): string {
  const h = createHash('sha256');
  const walk = (p: string, rel: string): void => {
    const st = lstatSync(p);
    h.update(`${rel}\0${st.mode & 0o7777}\0`);
    if (st.isSymbolicLink()) h.update(`-> ${readlinkSync(p)}\0`);
    else if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e), `${rel}/${e}`);
    else h.update(readFileSync(p));
  };
  walk(path, '.');
  return h.digest('hex');
}

/**
 * A Debian rootfs image built with debootstrap (only Debian's packages are
 * needed) and `docker import`ed. The tarball is cached under the cache
 * directory, so a lost Docker image is re-imported in seconds, not rebuilt.
 */
export async function ensureRootfsImage(spec: RootfsSpec): Promise<string> {
  // keyed on what is copied in, not on where the checkout lives: every clone shares the cache
  const copied = Object.fromEntries(Object.entries(spec.copyIn ?? {}).map(([to, from]) => [to, contentHash(from)]));
  const key = createHash('sha256')
    .update(JSON.stringify({ ...spec, copyIn: copied, suite: DEBIAN_SUITE }))
    .digest('hex')
    .slice(0, 16);
  if ((await imageLabel(spec.ref, KEY_LABEL)) === key) return spec.ref;
  const dir = join(cacheDir(), 'rootfs');
  mkdirSync(dir, { recursive: true });
  const name = spec.ref.replace(/[^a-zA-Z0-9.-]+/g, '_');
  const tarball = join(dir, `${name}-${key}.tar`);
  if (!existsSync(tarball)) {
    if (process.getuid?.() !== 0) {
      throw new KdrillError('building a rootfs needs root (debootstrap, chroot)', { hint: 'run `sudo kdrill image build` once; later runs use the cache' });
    }
    const { stdout } = await execa('sh', ['-c', 'command -v debootstrap || true']);
    if (!stdout.trim()) throw new KdrillError('debootstrap is not installed', { hint: 'apt-get install debootstrap (or run scripts/setup-host.sh)' });
    const work = join(dir, `${name}.work-${process.pid}`);
    rmSync(work, { recursive: true, force: true });
    try {
      await sh(
        'debootstrap',
        ['--variant=minbase', `--include=${spec.packages.join(',')}`, DEBIAN_SUITE, work, debianMirror(DEBIAN_SUITE)],
        `debootstrap ${DEBIAN_SUITE} (${debianMirror(DEBIAN_SUITE)})`,
      );
      for (const [dst, src] of Object.entries(spec.copyIn ?? {})) {
        // a directory's contents are merged into dst; a file is copied to dst
        const isDir = statSync(src).isDirectory();
        await sh('mkdir', ['-p', isDir ? join(work, dst) : dirname(join(work, dst))], `mkdir for ${dst}`);
        await sh('cp', ['-R', '--no-preserve=mode,ownership', isDir ? `${src}/.` : src, join(work, dst)], `copy ${src}`);
      }
      const cleanup = 'apt-get clean; rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /usr/share/doc/* /usr/share/man/* /usr/share/locale/* /var/log/*.log';
      await sh('chroot', [work, '/bin/sh', '-ec', `${spec.chrootScript ?? ''}\n${cleanup}`], `chroot script for ${spec.ref}`);
      await sh('tar', ['-C', work, '--numeric-owner', '-cf', `${tarball}.tmp`, '.'], 'tar rootfs');
      renameSync(`${tarball}.tmp`, tarball);
    } finally {
      rmSync(work, { recursive: true, force: true });
      rmSync(`${tarball}.tmp`, { force: true });
    }
  }
  // `docker import` takes only some Dockerfile instructions (not STOPSIGNAL):
  // import bare, then add the metadata with a metadata-only build (no pull).
  const bare = `${spec.ref}-rootfs`;
  await execa('docker', ['import', '-', bare], { inputFile: tarball });
  const ctx = join(dir, `${name}.ctx-${process.pid}`);
  mkdirSync(ctx, { recursive: true });
  try {
    writeFileSync(join(ctx, 'Dockerfile'), [`FROM ${bare}`, ...(spec.changes ?? [])].join('\n') + '\n');
    await buildImage(ctx, [spec.ref], { [KEY_LABEL]: key });
  } finally {
    rmSync(ctx, { recursive: true, force: true });
    await execa('docker', ['rmi', bare], { reject: false });
  }
  if (!(await imageExists(spec.ref))) throw new KdrillError(`docker import of ${spec.ref} produced no image`);
  return spec.ref;
}
