import { containerCgroupDir, hostPlace } from '../host/cgroups.js';
import type { NodeCgroup } from './node.js';
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

/** The io cgroup (v1 blkio or v2) of a running container, from its main process. */
export async function containerIoCgroup(container: string): Promise<NodeCgroup> {
  const [id, pid] = (await execa('docker', ['inspect', '--format', '{{.Id}} {{.State.Pid}}', container])).stdout.trim().split(' ');
  if (!id || !pid || pid === '0') throw new Error(`container ${container} is not running: no cgroup to throttle`);
  const place = await hostPlace('io');
  const dir = containerCgroupDir(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), id, place, 'io');
  const file = place.version === 'v1' ? `${dir}/blkio.throttle.write_iops_device` : `${dir}/io.max`;
  if (!existsSync(file)) throw new Error(`${file} does not exist${place.version === 'v2' ? ' (is the io controller enabled in the parent cgroup\'s cgroup.subtree_control?)' : ''}`);
  return { dir, version: place.version };
}
