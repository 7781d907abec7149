import { execa } from '../util/exec.js';
import { createHash } from 'node:crypto';
import { Journal } from '../journal.js';
import { createDockerContainer } from '../changes/docker-container.js';
import { OWNER_LABEL } from '../util/container.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { KdrillError } from '../util/errors.js';
import { imageExists, imageLabel } from '../host/docker.js';
import { ensureRootfsImage } from './rootfs.js';
import { kindModuleDir } from './kind-source.js';
import { KEY_LABEL } from './scratch-image.js';
import { ensureComponentImages } from './components.js';
import { KIND_VERSION, KUBERNETES_VERSION } from './versions.js';

/** Debian packages of kind's base image (images/base/Dockerfile), with Debian's containerd, runc and CNI plugins. */
const BASE_PACKAGES = [
  'systemd', 'systemd-sysv', 'dbus',
  'conntrack', 'iptables', 'nftables', 'iproute2', 'ethtool', 'util-linux', 'mount', 'kmod',
  'libseccomp2', 'pigz', 'fuse-overlayfs',
  'bash', 'ca-certificates', 'curl', 'jq', 'procps', 'socat', 'ebtables',
  'containerd', 'runc', 'containernetworking-plugins',
];

/** kind's base Dockerfile RUN steps, for a Debian rootfs with Debian's containerd. */
const BASE_SCRIPT = `
chmod 0755 /usr/local/bin/entrypoint /usr/local/bin/clean-install /kind /kind/bin /kind/bin/*
find /etc/systemd/system /etc/containerd /etc/default /etc/sysctl.d /etc/crictl.yaml -type f -exec chmod 0644 {} +
mkdir -p /etc/kubernetes/manifests /opt/cni/bin /usr/local/sbin
for b in /usr/lib/cni/*; do ln -sf "$b" /opt/cni/bin/; done
for b in containerd ctr containerd-shim-runc-v2; do ln -sf /usr/bin/$b /usr/local/bin/$b; done
find /lib/systemd/system/sysinit.target.wants/ -name systemd-tmpfiles-setup.service -delete
rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* /lib/systemd/system/local-fs.target.wants/* \\
  /lib/systemd/system/sockets.target.wants/*udev* /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/*
echo "ReadKMsg=no" >> /etc/systemd/journald.conf
systemctl enable kubelet.service containerd.service undo-mount-hacks.service
systemctl mask systemd-binfmt.service
ctr oci spec | jq '.hooks.createContainer[.hooks.createContainer| length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' | jq 'del(.process.rlimits)' > /etc/containerd/cri-base.json
`;

/** kind's base image (kindest/base), assembled from Debian packages and kind's own base files. */
export async function ensureBaseImage(): Promise<string> {
  const files = join(await kindModuleDir(), 'images/base/files');
  return ensureRootfsImage({
    ref: `kdrill.local/kind-base:${KIND_VERSION}-bookworm`,
    packages: BASE_PACKAGES,
    copyIn: { '/etc': join(files, 'etc'), '/usr/local/bin': join(files, 'usr/local/bin'), '/kind': join(files, 'kind') },
    chrootScript: BASE_SCRIPT,
    changes: ['ENV container=docker', 'STOPSIGNAL SIGRTMIN+3', 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]'],
    recipe: `base-1-${createHash('sha256').update(BASE_SCRIPT).digest('hex').slice(0, 12)}`,
  });
}

export const NODE_IMAGE_REPO = 'kdrill.local/node';

/**
 * Assembles the node image the way `kind build node-image` does
 * (pkg/build/nodeimage/buildcontext.go), minus every pull: Kubernetes binaries
 * in /usr/bin, /kind/version, the default CNI and storage manifests, and every
 * image kubeadm and kind need imported into containerd's k8s.io namespace
 * (pinned), then `docker commit`.
 */
export async function ensureNodeImage(step: <T>(title: string, fn: () => Promise<T>) => Promise<T>): Promise<string> {
  const base = await step(`kind base image (debootstrap ${'bookworm'} + kind ${KIND_VERSION} base files)`, ensureBaseImage);
  const comps = await ensureComponentImages(step);
  const root = packageRoot();
  const cni = readFileSync(join(root, 'images/node/default-cni.yaml'), 'utf8').replaceAll('{{KDRILL_NET_IMAGE}}', comps.netImage);
  const storage = readFileSync(join(root, 'images/node/default-storage.yaml'), 'utf8');
  const ids: string[] = [];
  for (const ref of [base, ...comps.preload]) ids.push((await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', ref])).stdout.trim());
  const key = createHash('sha256')
    .update(JSON.stringify({ ids, cni, storage, bins: Object.values(comps.nodeBinaries).map((b) => readFileSync(b).length) }))
    .digest('hex')
    .slice(0, 12);
  const ref = `${NODE_IMAGE_REPO}:${KUBERNETES_VERSION}-${key}`;
  if ((await imageLabel(ref, KEY_LABEL)) === key) return ref;

  return step(`node image ${ref}`, async () => {
    const name = `kdrill-build-node-${process.pid}`;
    // the build container is journaled and labelled like every container kdrill makes: Ctrl-C removes it on the
    // way out, and after a SIGKILL `kdrill clean` (and CI's label filter) finds it
    const journal = Journal.open(`image-build-${Date.now().toString(36)}-${process.pid}`, 'node image build container');
    const inNode = (args: string[], input?: string) => execa('docker', ['exec', '-i', name, ...args], input === undefined ? {} : { input });
    try {
      // inside the try: Ctrl-C can cancel `docker run` after docker made the container (measured in a cold CI run:
      // the container stayed, with its journal); the record is on disk first, so the finally removes it either way
      await createDockerContainer(journal, name, () =>
        execa('docker', ['run', '-d', '--name', name, '--label', `${OWNER_LABEL}=kdrill-image-build`, '--entrypoint', 'sleep', '--security-opt', 'seccomp=unconfined', base, 'infinity']),
      );
      for (const [bin, path] of Object.entries(comps.nodeBinaries)) {
        await execa('docker', ['cp', path, `${name}:/usr/bin/${bin}`]);
        await inNode(['chmod', '0755', `/usr/bin/${bin}`]);
        await inNode(['chown', 'root:root', `/usr/bin/${bin}`]);
      }
      await inNode(['sh', '-c', 'mkdir -p /kind/manifests && cat > /kind/version'], KUBERNETES_VERSION);
      await inNode(['sh', '-c', 'cat > /kind/manifests/default-cni.yaml'], cni);
      await inNode(['sh', '-c', 'cat > /kind/manifests/default-storage.yaml'], storage);

      // containerd inside the build container, only to import images (no unpacking, no mounts)
      await execa('docker', ['exec', '-d', name, 'sh', '-c', 'containerd > /var/log/kdrill-build-containerd.log 2>&1']);
      await inNode(['sh', '-c', 'for i in $(seq 1 100); do [ -S /run/containerd/containerd.sock ] && ctr version >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1']).catch(() => {
        throw new KdrillError('containerd did not start in the node build container');
      });
      for (const img of comps.preload) {
        await execa('docker', ['save', img], { buffer: false }).pipe('docker', [
          'exec', '-i', name,
          'ctr', '--namespace=k8s.io', 'images', 'import', '--label=io.cri-containerd.pinned=pinned', '--all-platforms', '--no-unpack', '--digests', '-',
        ]);
      }
      const listed = (await inNode(['ctr', '--namespace=k8s.io', 'images', 'list', '-q'])).stdout.split('\n');
      const missing = comps.preload.filter((img) => !listed.includes(img) && !listed.includes(`docker.io/${img}`));
      if (missing.length) throw new KdrillError(`images missing from the node's containerd after import: ${missing.join(', ')}`);
      await inNode(['sh', '-c', 'pkill containerd; for i in $(seq 1 50); do pgrep containerd >/dev/null || exit 0; sleep 0.2; done; exit 1']);
      await inNode(['rm', '-f', '/var/log/kdrill-build-containerd.log']);
      await execa('docker', [
        'commit',
        '--change', 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]',
        '--change', `LABEL ${KEY_LABEL}=${key}`,
        '--change', `LABEL dev.kdrill.kubernetes-version=${KUBERNETES_VERSION}`,
        name, ref,
      ]);
    } finally {
      const { errors } = await journal.revertAll({ abort: true });
      journal.close();
      if (errors.length) throw new KdrillError(`could not remove the build container: ${errors[0]!.message}`, { hint: 'kdrill clean removes it' });
    }
    if (!(await imageExists(ref))) throw new KdrillError(`docker commit produced no image ${ref}`);
    await pruneSupersededNodeImages(ref);
    return ref;
  });
}

/**
 * Each node image is about 1 GiB: remove kdrill's older ones once a new one
 * exists. docker refuses to remove an image a container (a running cluster's
 * node) still uses, and that refusal is fine: it goes with its cluster.
 */
async function pruneSupersededNodeImages(keep: string): Promise<void> {
  const r = await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', NODE_IMAGE_REPO], { reject: false });
  for (const old of r.stdout.split('\n').filter((x) => x && x !== keep && !x.endsWith(':<none>'))) {
    await execa('docker', ['rmi', old], { reject: false });
  }
}
