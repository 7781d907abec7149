import { copyFileSync, chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { goBuild } from '../image/go-build.js';
import { cacheDir } from '../util/paths.js';
import type { KindNodeConfig } from './kind-config.js';
import type { NodeAccess } from '../targets/node.js';

/**
 * kdrill-slowfs: a control plane's /var/lib/etcd seen through a FUSE
 * passthrough whose fsync sleeps for a delay kdrill writes to a file in the
 * node. The only exact slow-fsync fault on these hosts (no dm-delay, no
 * netem; cgroup blkio reaches a whole-iops step curve only): 800 ms asked is
 * 800 ms measured. It is part of the cluster, not of a drill: a systemd unit
 * in the node mounts it before the kubelet starts (so before kubeadm's etcd),
 * from files bind-mounted into the node, which works on upstream kindest/node
 * as on kdrill's own image. At delay 0 it passes fsync straight through.
 */
export const SLOWFS_DISK = '/var/lib/etcd-disk';
export const SLOWFS_MOUNT = '/var/lib/etcd';
export const SLOWFS_CONTROL = '/run/kdrill-slowfs/fsync-delay-ms';
export const SLOWFS_STATS = '/run/kdrill-slowfs/stats';
const IN_NODE = '/kdrill/slowfs';

const UNIT = `[Unit]
Description=kdrill-slowfs: etcd's data dir through a FUSE layer with a settable fsync delay
Before=kubelet.service

[Service]
Type=notify
ExecStartPre=-/bin/umount -l ${SLOWFS_MOUNT}
ExecStartPre=/bin/mkdir -p ${SLOWFS_MOUNT} /run/kdrill-slowfs
ExecStart=${IN_NODE}/kdrill-slowfs -backing ${SLOWFS_DISK} -mount ${SLOWFS_MOUNT} -control ${SLOWFS_CONTROL} -stats ${SLOWFS_STATS}
Restart=always
RestartSec=1

[Install]
WantedBy=multi-user.target
`;

/** The kubelet (so etcd's static pod) needs the layer mounted first. */
const KUBELET_DROP_IN = `[Unit]
Requires=kdrill-slowfs.service
After=kdrill-slowfs.service
`;

/** Builds the binary (cached by the Go module's key) and lays out what a node mounts, in a directory of its own per version. */
export async function ensureSlowFs(): Promise<string> {
  const { 'kdrill-slowfs': bin } = await goBuild({ name: 'kdrill-slowfs', module: 'images/slowfs', packages: ['.'], outputs: ['kdrill-slowfs'], ldflags: '-s -w' });
  const key = createHash('sha256').update(readFileSync(bin!)).update(UNIT).update(KUBELET_DROP_IN).digest('hex').slice(0, 12);
  const dir = join(cacheDir(), 'slowfs', key);
  if (existsSync(join(dir, 'kdrill-slowfs'))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  copyFileSync(bin!, join(tmp, 'kdrill-slowfs'));
  chmodSync(join(tmp, 'kdrill-slowfs'), 0o755);
  writeFileSync(join(tmp, 'kdrill-slowfs.service'), UNIT);
  writeFileSync(join(tmp, '05-kdrill-slowfs.conf'), KUBELET_DROP_IN);
  renameSync(tmp, dir); // a running cluster keeps its own version's directory
  return dir;
}

/** extraMounts for a control plane whose etcd data dir (`diskDir` on the host) goes through kdrill-slowfs. */
export function slowFsMounts(slowfsDir: string, diskDir: string): NonNullable<KindNodeConfig['extraMounts']> {
  return [
    { hostPath: diskDir, containerPath: SLOWFS_DISK },
    { hostPath: slowfsDir, containerPath: IN_NODE, readOnly: true },
    { hostPath: join(slowfsDir, 'kdrill-slowfs.service'), containerPath: '/etc/systemd/system/kdrill-slowfs.service', readOnly: true },
    { hostPath: join(slowfsDir, '05-kdrill-slowfs.conf'), containerPath: '/etc/systemd/system/kubelet.service.d/05-kdrill-slowfs.conf', readOnly: true },
  ];
}

/** True when the node's /var/lib/etcd is kdrill-slowfs, mounted and serving. */
export async function slowFsActive(node: NodeAccess): Promise<boolean> {
  const r = await node.exec(['sh', '-c', `systemctl is-active -q kdrill-slowfs && grep -q ' ${SLOWFS_MOUNT} fuse.kdrill-slowfs ' /proc/self/mounts`]);
  return r.exitCode === 0;
}

/** The layer's own counters (delay_ms, fsyncs, delayed, delayed_ms). */
export async function slowFsStats(node: NodeAccess): Promise<Record<string, number>> {
  const text = (await node.readFile(SLOWFS_STATS))?.content.toString('utf8') ?? '';
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((p) => p.length === 2 && p[1] !== '' && Number.isFinite(Number(p[1])))
      .map(([k, v]) => [k!, Number(v)]),
  );
}
