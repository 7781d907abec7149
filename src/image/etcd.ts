import { goBuild } from './go-build.js';
import { ensureImage } from './scratch-image.js';
import { ETCD_VERSION, componentImageRefs } from './versions.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Builds etcd + etcdctl (static) from the Go module proxy into the cache. */
export async function buildEtcdBinaries(): Promise<{ etcd: string; etcdctl: string }> {
  const ver = ETCD_VERSION;
  const bins = await goBuild({
    name: `etcd-${ver}`,
    module: 'images/etcd',
    packages: ['go.etcd.io/etcd/server/v3', 'go.etcd.io/etcd/etcdctl/v3'],
    outputs: ['etcd', 'etcdctl'],
    ldflags: `-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=kdrill-${ver}`,
  });
  return { etcd: bins.etcd!, etcdctl: bins.etcdctl! };
}

/**
 * The etcd image, FROM scratch, as registry.k8s.io/etcd:<kubeadm tag> (what
 * kubeadm's static pod runs) and kdrill.local/etcd:<version> (what the
 * integration tier runs in testcontainers). Like upstream's it has etcd and
 * etcdctl in /usr/local/bin and no shell.
 */
export async function ensureEtcdImage(): Promise<string> {
  const b = await buildEtcdBinaries();
  const key = createHash('sha256').update(readFileSync(b.etcd)).update(readFileSync(b.etcdctl)).digest('hex').slice(0, 16);
  return ensureImage({
    tags: [`kdrill.local/etcd:${ETCD_VERSION}`, componentImageRefs.etcd],
    from: 'scratch',
    files: { [b.etcd]: '/usr/local/bin/etcd', [b.etcdctl]: '/usr/local/bin/etcdctl' },
    extra: ['ENV PATH=/usr/local/bin', 'EXPOSE 2379 2380'],
    entrypoint: ['/usr/local/bin/etcd'],
    key,
  });
}
