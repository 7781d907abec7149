import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { KdrillError } from '../util/errors.js';
import { stateDir } from '../util/paths.js';

/**
 * A disk of its own for etcd's data dir, as in the postmortem (/var/lib/etcd
 * on a USB stick): ext4 on a sparse file, loop-mounted on the host and given
 * to a kind node with extraMounts. Only etcd writes to it, so a blkio limit on
 * its major:minor slows etcd and nothing else.
 */
export interface LoopDisk {
  file: string;
  mountpoint: string;
  /** /dev/loopN */
  device: string;
  /** "7:N" as blkio wants it */
  majorMinor: string;
}

function disksDir(): string {
  return join(stateDir(), 'disks');
}

export function loopDiskPaths(name: string): { file: string; mountpoint: string } {
  return { file: join(disksDir(), `${name}.img`), mountpoint: join(disksDir(), name) };
}

const etcdDiskPrefix = (cluster: string) => `${cluster}-cp`;

/** The disk name of a cluster's i-th control plane (0-based): "<cluster>-cp<i+1>". */
export function etcdDiskName(cluster: string, i: number): string {
  return `${etcdDiskPrefix(cluster)}${i + 1}`;
}

/** The etcd disks kdrill made for `cluster` among the disk files present (exact names: not another cluster's). */
export function etcdDisksOf(cluster: string): { file: string; mountpoint: string }[] {
  const prefix = etcdDiskPrefix(cluster);
  const mine = (f: string) => f.startsWith(prefix) && /^[1-9][0-9]*\.img$/.test(f.slice(prefix.length));
  return (existsSync(disksDir()) ? readdirSync(disksDir()) : []).filter(mine).map((f) => loopDiskPaths(f.slice(0, -'.img'.length)));
}

async function attachedLoops(file: string): Promise<string[]> {
  const r = await execa('losetup', ['-j', file], { reject: false });
  return r.stdout
    .split('\n')
    .map((l) => l.split(':')[0]!.trim())
    .filter(Boolean);
}

function majorMinor(device: string): string {
  return readFileSync(`/sys/block/${basename(device)}/dev`, 'utf8').trim();
}

export async function createLoopDisk(name: string, sizeMiB = 2048): Promise<LoopDisk> {
  if (process.getuid?.() !== 0) throw new KdrillError('a loop-device disk for etcd needs root (losetup, mount)');
  const { file, mountpoint } = loopDiskPaths(name);
  mkdirSync(mountpoint, { recursive: true });
  if (!(await attachedLoops(file)).length) {
    await execa('truncate', ['-s', `${sizeMiB}M`, file]);
    await execa('mkfs.ext4', ['-q', '-F', file]);
    try {
      await execa('mount', ['-o', 'loop', file, mountpoint]);
    } catch (e) {
      throw new KdrillError(`cannot loop-mount ${file}: ${(e as { stderr?: string }).stderr ?? e}`, { hint: 'the kernel needs loop device support (/dev/loop-control)' });
    }
  }
  const [device] = await attachedLoops(file);
  if (!device) throw new KdrillError(`${file} is not attached to a loop device after mount`);
  return { file, mountpoint, device, majorMinor: majorMinor(device) };
}

/** Unmounts, detaches and deletes; idempotent (missing pieces are fine). */
export async function destroyLoopDisk(file: string, mountpoint: string): Promise<void> {
  const mounted = await execa('mountpoint', ['-q', mountpoint], { reject: false });
  if (mounted.exitCode === 0) {
    const r = await execa('umount', [mountpoint], { reject: false });
    if (r.exitCode !== 0) await execa('umount', ['-l', mountpoint]);
  }
  for (const dev of await attachedLoops(file)) await execa('losetup', ['-d', dev], { reject: false });
  rmSync(file, { force: true });
  if (existsSync(mountpoint) && readdirSync(mountpoint).length === 0) rmSync(mountpoint, { recursive: true, force: true });
}
