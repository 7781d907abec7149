import type { Journal } from '../journal.js';
import { OWNER_LABEL, containerLabel, removeContainer } from '../util/container.js';
import { KDRILL_NAME, clusterOf, str, type Applied, type ChangeKind, type ChangeRecord } from './change.js';

/** A docker container kdrill created (etcd members, the node-image build container): removed on undo. */
export interface DockerContainerRecord extends ChangeRecord {
  type: 'docker-container';
  container: string;
}

export const dockerContainer: ChangeKind<DockerContainerRecord> = {
  type: 'docker-container',
  summary: 'a docker container kdrill created (labelled dev.kdrill.owner), removed',
  describe: (r) => `remove container ${r.container}`,
  validate: (raw) => ({ type: 'docker-container', container: str(raw, 'container', KDRILL_NAME), ...clusterOf(raw) }),
  async undo(r) {
    // only a container kdrill labelled: a record can never remove someone else's container of the same name
    const owner = await containerLabel(r.container, OWNER_LABEL);
    if (owner === null) return; // gone
    if (owner === undefined) throw new Error(`${r.container} exists but is not labelled ${OWNER_LABEL}: not kdrill's, left alone`);
    await removeContainer(r.container);
  },
};

/** Journals the removal, then creates the container with `create` (which must label it dev.kdrill.owner). */
export function createDockerContainer<T>(journal: Journal, container: string, create: () => Promise<T>): Promise<Applied<T>> {
  return journal.change({ type: 'docker-container', container } satisfies DockerContainerRecord, create);
}
