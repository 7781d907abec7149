import type { Journal } from '../journal.js';
import { removeNetwork } from '../util/container.js';
import { KDRILL_NAME, clusterOf, str, type Applied, type ChangeKind, type ChangeRecord } from './change.js';

/** A docker network kdrill created (the etcd members' peer network): removed on undo. */
export interface DockerNetworkRecord extends ChangeRecord {
  type: 'docker-network';
  network: string;
}

export const dockerNetwork: ChangeKind<DockerNetworkRecord> = {
  type: 'docker-network',
  summary: 'a docker network kdrill created, removed',
  describe: (r) => `remove network ${r.network}`,
  validate: (raw) => ({ type: 'docker-network', network: str(raw, 'network', KDRILL_NAME), ...clusterOf(raw) }),
  undo: (r) => removeNetwork(r.network),
};

export function createDockerNetwork<T>(journal: Journal, network: string, create: () => Promise<T>): Promise<Applied<T>> {
  return journal.change({ type: 'docker-network', network } satisfies DockerNetworkRecord, create);
}
