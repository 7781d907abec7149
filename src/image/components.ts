import { execa } from '../util/exec.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, packageRoot } from '../util/paths.js';
import { KdrillError } from '../util/errors.js';
import { goBuild } from './go-build.js';
import { buildKubernetes } from './kubernetes.js';
import { ensureEtcdImage } from './etcd.js';
import { ensureImage } from './scratch-image.js';
import { ensureRootfsImage } from './rootfs.js';
import { kindModuleDir } from './kind-source.js';
import { COREDNS_VERSION, KIND_HAPROXY_IMAGE, KUBERNETES_VERSION, componentImageRefs } from './versions.js';

const PATH_ENV = 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function fileKey(...files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

/**
 * Debian minbase with the network tools pods on a node need: iptables (with a
 * wrapper that follows the node's legacy/nft choice), nftables, conntrack,
 * iproute2; haproxy for kind's load balancer. Base of kube-proxy, kdrill-net
 * and the haproxy image: one shared layer inside the node's containerd.
 */
export async function ensureToolsImage(): Promise<string> {
  const wrapper = join(packageRoot(), 'images/node/iptables-wrapper');
  return ensureRootfsImage({
    ref: 'kdrill.local/debian-tools:bookworm',
    packages: ['iptables', 'nftables', 'conntrack', 'iproute2', 'procps', 'haproxy', 'ca-certificates'],
    copyIn: { '/usr/sbin/iptables-wrapper': wrapper },
    chrootScript: [
      'chmod 0755 /usr/sbin/iptables-wrapper',
      'for c in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do ln -sf iptables-wrapper /usr/sbin/$c; done',
      'mkdir -p /usr/local/etc/haproxy /run/haproxy',
    ].join('\n'),
    changes: [PATH_ENV],
    recipe: `tools-1-${fileKey(wrapper)}`,
  });
}

export interface ComponentImages {
  /** Image references to preload into the node image's containerd. */
  preload: string[];
  /** The CNI daemon image the default CNI manifest names. */
  netImage: string;
  /** kubeadm, kubelet, kubectl for /usr/bin of the node. */
  nodeBinaries: Record<'kubeadm' | 'kubelet' | 'kubectl', string>;
}

/** Every image the node image preloads, built from source or Debian packages: nothing is pulled. */
export async function ensureComponentImages(step: <T>(title: string, fn: () => Promise<T>) => Promise<T>): Promise<ComponentImages> {
  const kube = await step(`Kubernetes ${KUBERNETES_VERSION} binaries`, buildKubernetes);
  const tools = await step('Debian tools image (iptables, nftables, conntrack, haproxy)', ensureToolsImage);
  const preload: string[] = [];

  await step('control-plane component images', async () => {
    for (const [c, ref] of [
      ['kube-apiserver', componentImageRefs.kubeApiserver],
      ['kube-controller-manager', componentImageRefs.kubeControllerManager],
      ['kube-scheduler', componentImageRefs.kubeScheduler],
    ] as const) {
      preload.push(
        await ensureImage({
          tags: [ref],
          from: 'scratch',
          files: { [kube[c]]: `/usr/local/bin/${c}` },
          extra: [PATH_ENV],
          entrypoint: [`/usr/local/bin/${c}`],
          key: fileKey(kube[c]),
        }),
      );
    }
    preload.push(
      await ensureImage({
        tags: [componentImageRefs.kubeProxy],
        from: tools,
        files: { [kube['kube-proxy']]: '/usr/local/bin/kube-proxy' },
        entrypoint: ['/usr/local/bin/kube-proxy'],
        key: fileKey(kube['kube-proxy']) + (await toolsKey(tools)),
      }),
    );
  });

  await step('etcd image', async () => {
    await ensureEtcdImage();
    preload.push(componentImageRefs.etcd);
  });

  await step('CoreDNS image', async () => {
    const { coredns } = await goBuild({
      name: `coredns-${COREDNS_VERSION}`,
      module: 'images/coredns',
      packages: ['github.com/coredns/coredns'],
      outputs: ['coredns'],
      ldflags: `-s -w -X github.com/coredns/coredns/coremain.GitCommit=kdrill-${COREDNS_VERSION}`,
    });
    preload.push(
      await ensureImage({
        tags: [componentImageRefs.coredns],
        from: 'scratch',
        files: { [coredns!]: '/coredns' },
        extra: ['EXPOSE 53 53/udp'],
        entrypoint: ['/coredns'],
        key: fileKey(coredns!),
      }),
    );
  });

  await step('pause image', async () => {
    const pause = await buildPause();
    const [first, ...more] = componentImageRefs.pause;
    await ensureImage({ tags: [first!, ...more], from: 'scratch', files: { [pause]: '/pause' }, entrypoint: ['/pause'], key: fileKey(pause) });
    preload.push(...componentImageRefs.pause);
  });

  const netImage = await step('kdrill-net CNI image', async () => {
    const { 'kdrill-net': bin } = await goBuild({ name: 'kdrill-net', module: 'images/kdrill-net', packages: ['.'], outputs: ['kdrill-net'], ldflags: '-s -w' });
    const key = fileKey(bin!) + (await toolsKey(tools));
    const ref = `kdrill.local/kdrill-net:${key.slice(0, 12)}`;
    await ensureImage({ tags: [ref], from: tools, files: { [bin!]: '/usr/local/bin/kdrill-net' }, entrypoint: ['/usr/local/bin/kdrill-net'], key });
    return ref;
  });
  preload.push(netImage);

  await step('kind load-balancer (haproxy) image', () => ensureHaproxyImage(tools));

  return { preload, netImage, nodeBinaries: { kubeadm: kube.kubeadm, kubelet: kube.kubelet, kubectl: kube.kubectl } };
}

async function toolsKey(tools: string): Promise<string> {
  return (await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', tools])).stdout.slice(7, 15);
}

/**
 * kind's load balancer for several control planes: Debian's haproxy with
 * kind's default config, under kind's exact tag, behind an entrypoint that
 * fits maxconn to the container's file-descriptor limit (see the script).
 */
async function ensureHaproxyImage(tools: string): Promise<string> {
  const cfg = join(await kindModuleDir(), 'images/haproxy/haproxy.cfg');
  const entry = join(packageRoot(), 'images/node/haproxy-entrypoint');
  return ensureImage({
    tags: [KIND_HAPROXY_IMAGE],
    from: tools,
    files: { [cfg]: '/usr/local/etc/haproxy/haproxy.cfg', [entry]: '/usr/local/bin/haproxy-entrypoint' },
    extra: ['STOPSIGNAL SIGUSR1'],
    entrypoint: ['/usr/local/bin/haproxy-entrypoint'],
    key: fileKey(cfg, entry) + (await toolsKey(tools)),
  });
}

/** Kubernetes' own pause.c (build/pause/linux in the k8s.io/kubernetes module), linked statically. */
async function buildPause(): Promise<string> {
  const out = join(cacheDir(), 'bin', 'pause', 'pause');
  if (existsSync(out)) return out;
  const mod = JSON.parse(
    (await execa('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES_VERSION}`], { cwd: join(packageRoot(), 'images/kubernetes') })).stdout,
  ) as { Dir: string };
  mkdirSync(join(out, '..'), { recursive: true });
  const src = join(mod.Dir, 'build/pause/linux/pause.c');
  try {
    await execa('gcc', ['-Os', '-static', '-DVERSION=3.10.1-kdrill', '-o', out, src]);
    await execa('strip', [out]);
  } catch (e: unknown) {
    throw new KdrillError(`building pause from ${src} failed: ${(e as { stderr?: string }).stderr ?? e}`, {
      hint: 'install gcc and libc6-dev (Debian) for a static build',
    });
  }
  return out;
}

/** kdrill's workload image: one static Go binary (echo server, client, probe, memory leaker), FROM scratch. */
export async function ensureAgentImage(): Promise<string> {
  const { 'kdrill-agent': bin } = await goBuild({ name: 'kdrill-agent', module: 'images/agent', packages: ['.'], outputs: ['kdrill-agent'], ldflags: '-s -w' });
  const key = fileKey(bin!);
  const ref = `kdrill.local/agent:${key.slice(0, 12)}`;
  return ensureImage({ tags: [ref], from: 'scratch', files: { [bin!]: '/kdrill-agent' }, entrypoint: ['/kdrill-agent'], key });
}
