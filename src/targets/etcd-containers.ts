import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import type { EtcdCapability, EtcdMember } from './etcd-target.js';
import type { Capability, ProvisionContext, Target, TargetProvider } from './target.js';
import { containerIoCgroup, dockerDataDevice } from './block-device.js';
import { followContainerLogs } from './container-logs.js';
import { KdrillError } from '../util/errors.js';
import { ensureDocker } from '../host/docker.js';
import { flushHostDisk } from '../host/disk.js';
import { OWNER_LABEL, RUN_LABEL } from '../util/container.js';
import { createDockerContainer } from '../changes/docker-container.js';
import { createDockerNetwork } from '../changes/docker-network.js';
import { execa } from 'execa';
import { httpGetText } from '../util/http-get.js';

export interface EtcdContainersOptions {
  /** Number of members (default 3). */
  members?: number;
  /** Image with etcd as entrypoint (default: kdrill.local/etcd built by ensureEtcdImage). */
  image?: string;
  /** Container/network name prefix (default "kdrill-etcd"); names are <prefix>-<run>-m<i>. */
  namePrefix?: string;
  /** Value of the dev.kdrill.owner label (default "kdrill"). */
  owner?: string;
  /** Seconds to wait for the cluster to serve (default 60). */
  startupTimeoutS?: number;
}

/** What etcd in containers offers: members kdrill made (kill, pause, partition) and a blkio throttle on each. */
export const ETCD_CONTAINERS_PROVIDES: ReadonlySet<Capability> = new Set<Capability>(['etcd', 'etcd.containers', 'etcd.disk-throttle']);

/** A target that is etcd and nothing else. */
export interface EtcdContainersTarget extends Target {
  kind: 'etcd-containers';
  etcd: EtcdCapability;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves when `container` logs a line matching `re` (a log watch with a deadline, not a sleep). */
function waitForLogLine(container: string, re: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${container} did not log ${re} within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    const stop = followContainerLogs(container, 0, (line) => {
      if (re.test(line)) {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  });
}

function clientFor(urls: string[]): Etcd3 {
  return new Etcd3({
    hosts: urls,
    dialTimeout: 3000,
    defaultCallOptions: () => ({ deadline: new Date(Date.now() + 5000) }),
  });
}

/**
 * A real N-member etcd cluster in testcontainers, on its own docker network.
 * Every container and the network are journaled before they are created, so a
 * killed run's `kdrill clean` removes them. Host ports are fixed at creation
 * so that client URLs survive a member's restart.
 */
export function etcdContainers(opts: EtcdContainersOptions = {}): TargetProvider<EtcdContainersTarget> {
  const n = opts.members ?? 3;
  return {
    name: `etcd-containers(${n})`,
    provides: ETCD_CONTAINERS_PROVIDES,
    async provision(ctx: ProvisionContext): Promise<EtcdContainersTarget> {
      await ensureDocker(); // an actionable error when no daemon answers
      process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
      const { GenericContainer, Network, Wait } = await import('testcontainers');
      let image = opts.image;
      if (!image) {
        const { ensureEtcdImage } = await import('../image/etcd.js');
        image = await ensureEtcdImage();
      }
      const prefix = `${opts.namePrefix ?? 'kdrill-etcd'}-${ctx.runId}`;
      const labels = { [RUN_LABEL]: ctx.runId, [OWNER_LABEL]: opts.owner ?? 'kdrill' };
      const networkName = prefix;
      const { result: network } = await createDockerNetwork(ctx.journal, networkName, () => new Network({ nextUuid: () => networkName }).start());
      const token = randomBytes(6).toString('hex');
      const names = Array.from({ length: n }, (_, i) => `m${i + 1}`);
      const initialCluster = names.map((m) => `${m}=http://${m}:2380`).join(',');
      const ports = await Promise.all(names.map(async () => ({ client: await freePort(), metrics: await freePort() })));
      const dataDevice = await dockerDataDevice();
      ctx.log(`starting ${n} etcd members on network ${networkName}`);
      const started = await Promise.all(
        names.map(async (m, i) => {
          const container = `${prefix}-${m}`;
          const gc = new GenericContainer(image!)
            .withName(container)
            .withLabels(labels)
            .withNetwork(network)
            .withNetworkAliases(m)
            .withExposedPorts({ container: 2379, host: ports[i]!.client }, { container: 2381, host: ports[i]!.metrics })
            .withCommand([
              `--name=${m}`,
              '--data-dir=/var/lib/etcd',
              '--listen-client-urls=http://0.0.0.0:2379',
              `--advertise-client-urls=http://${m}:2379`,
              '--listen-peer-urls=http://0.0.0.0:2380',
              `--initial-advertise-peer-urls=http://${m}:2380`,
              '--listen-metrics-urls=http://0.0.0.0:2381',
              `--initial-cluster=${initialCluster}`,
              `--initial-cluster-token=${token}`,
              '--initial-cluster-state=new',
              '--logger=zap',
              '--log-outputs=stderr',
            ])
            // testcontainers starts containers one at a time, and a member is only ready once a quorum is:
            // wait for the process here, for readiness below.
            .withWaitStrategy(Wait.forLogMessage(/starting an etcd server/))
            .withStartupTimeout((opts.startupTimeoutS ?? 60) * 1000);
          await createDockerContainer(ctx.journal, container, () => gc.start());
          return { m, container, port: ports[i]! };
        }),
      ).catch((e: unknown) => {
        throw new KdrillError(`could not start the etcd cluster: ${(e as Error).message}`, {
          hint: 'is the image built (`kdrill image build`)? `docker logs` of the member containers says more',
          cause: e,
        });
      });
      await Promise.all(started.map((s) => waitForLogLine(s.container, /ready to serve client requests/, (opts.startupTimeoutS ?? 60) * 1000)));
      const members = started.map(({ m, container, port }) => etcdContainerMember(m, container, networkName, port, dataDevice));
      return etcdTarget(members, async () => {
        const mine = ctx.journal
          .pending()
          .filter(
            (e) =>
              (e.record.type === 'docker-container' && started.some((s) => s.container === (e.record as { container?: string }).container)) ||
              (e.record.type === 'docker-network' && (e.record as { network?: string }).network === networkName),
          );
        await ctx.journal.revertEntries(mine);
      });
    },
  };
}

/** The handles of one member running in its own container, with fixed host ports. */
function etcdContainerMember(name: string, container: string, network: string, port: { client: number; metrics: number }, dataDevice: string): EtcdMember {
  const get = (path: string, timeoutMs: number) => httpGetText(`http://127.0.0.1:${port.metrics}${path}`, timeoutMs).catch((e: Error) => Promise.reject(new Error(`${name} ${path}: ${e.message}`)));
  return {
    name,
    container: { name: container, peerNetwork: { name: network, aliases: [name] } },
    clientUrl: () => `http://127.0.0.1:${port.client}`,
    metrics: (timeoutMs = 900) => get('/metrics', timeoutMs),
    metricsGet: get,
    ioCgroup: () => containerIoCgroup(container),
    dataDevice: async () => dataDevice,
    followLogs: (since, onLine) => followContainerLogs(container, since, onLine),
  };
}

function etcdTarget(members: EtcdMember[], release: () => Promise<void>): EtcdContainersTarget {
  const clients: Etcd3[] = [];
  const keep = (c: Etcd3): Etcd3 => (clients.push(c), c);
  return {
    kind: 'etcd-containers',
    provides: ETCD_CONTAINERS_PROVIDES,
    etcd: {
      members,
      client: () => keep(clientFor(members.map((x) => x.clientUrl()))),
      memberClient: (name) => keep(clientFor([members.find((x) => x.name === name)!.clientUrl()])),
    },
    quiesce: flushHostDisk,
    describe: () => `${members.length}-member etcd in containers (${members.map((m) => m.container!.name).join(', ')})`,
    async teardown() {
      for (const c of clients) c.close();
      await release();
    },
  };
}

/**
 * An EtcdTarget over member containers that already run (made by
 * etcdContainers in another process): nothing is created, teardown only closes
 * clients. Used by `existing(...)` drills and by crash tests.
 */
export async function attachEtcdContainers(containers: string[]): Promise<EtcdContainersTarget> {
  const dataDevice = await dockerDataDevice();
  const members = await Promise.all(
    containers.map(async (c) => {
      const { stdout } = await execa('docker', ['inspect', '--format', '{{json .}}', c]);
      const j = JSON.parse(stdout) as {
        Config: { Cmd: string[] };
        HostConfig: { PortBindings: Record<string, { HostPort: string }[]> };
        NetworkSettings: { Networks: Record<string, unknown> };
      };
      const name = j.Config.Cmd.find((a) => a.startsWith('--name='))?.slice(7);
      const host = (p: string): number => Number(j.HostConfig.PortBindings[p]?.[0]?.HostPort);
      const network = Object.keys(j.NetworkSettings.Networks).find((n) => n !== 'bridge');
      if (!name || !network || !host('2379/tcp') || !host('2381/tcp')) throw new Error(`${c} is not an etcd member made by etcdContainers`);
      return etcdContainerMember(name, c, network, { client: host('2379/tcp'), metrics: host('2381/tcp') }, dataDevice);
    }),
  );
  return etcdTarget(members, async () => undefined);
}
