import { readFileSync, existsSync, statSync } from 'node:fs';
import { execa } from 'execa';

/** "major:minor" of a path's filesystem, mapped from a partition to its whole disk (blkio throttles whole disks). */
export function wholeDiskOf(path: string): string {
  const st = statSync(path);
  const dev = Number(st.dev);
  const major = Math.floor(dev / 256) & 0xfff;
  const minor = (dev & 0xff) | ((Math.floor(dev / 4096) & 0xfff00) >>> 0);
  const sys = `/sys/dev/block/${major}:${minor}`;
  if (existsSync(`${sys}/partition`)) return readFileSync(`${sys}/../dev`, 'utf8').trim();
  if (!existsSync(sys)) throw new Error(`${path} is on ${major}:${minor}, which is not a block device (overlay on tmpfs?): blkio cannot throttle it`);
  return `${major}:${minor}`;
}

/** The block device holding docker's root dir, where container writable layers (and so etcd data dirs) live. */
export async function dockerDataDevice(): Promise<string> {
  const root = (await execa('docker', ['info', '--format', '{{.DockerRootDir}}'])).stdout.trim();
  return wholeDiskOf(root);
}

/** cgroup v1 blkio directory of a running container, from its main process. */
export async function containerBlkioDir(container: string): Promise<string> {
  const pid = Number((await execa('docker', ['inspect', '--format', '{{.State.Pid}}', container])).stdout.trim());
  if (!pid) throw new Error(`container ${container} is not running: no cgroup to throttle`);
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const blkio = lines.find((l) => l.split(':')[1]?.split(',').includes('blkio'));
  if (!blkio) throw new Error('no cgroup v1 blkio controller here (cgroup v2 host?): throttleDisk needs cgroup v1 blkio');
  const dir = `/sys/fs/cgroup/blkio${blkio.split(':')[2]}`;
  if (!existsSync(`${dir}/blkio.throttle.write_iops_device`)) throw new Error(`${dir}/blkio.throttle.write_iops_device does not exist`);
  return dir;
}
