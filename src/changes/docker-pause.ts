import type { Journal } from '../journal.js';
import { pauseContainer, unpauseContainer } from '../util/container.js';
import { KDRILL_NAME, clusterOf, str, type Applied, type ChangeKind, type ChangeRecord } from './change.js';

/** A container frozen (cgroup freezer): unpaused on undo. */
export interface DockerPauseRecord extends ChangeRecord {
  type: 'docker-pause';
  container: string;
}

export const dockerPause: ChangeKind<DockerPauseRecord> = {
  type: 'docker-pause',
  summary: 'a container paused (cgroup freezer), unpaused',
  describe: (r) => `unpause ${r.container}`,
  validate: (raw) => ({ type: 'docker-pause', container: str(raw, 'container', KDRILL_NAME), ...clusterOf(raw) }),
  undo: (r) => unpauseContainer(r.container),
};

export function pauseDockerContainer(journal: Journal, container: string): Promise<Applied<void>> {
  return journal.change({ type: 'docker-pause', container } satisfies DockerPauseRecord, () => pauseContainer(container));
}
