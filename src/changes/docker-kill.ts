import type { Journal } from '../journal.js';
import { inspectContainer, killContainer, startContainer, unpauseContainer } from '../util/container.js';
import { KDRILL_NAME, clusterOf, str, type Applied, type ChangeKind, type ChangeRecord } from './change.js';

/** A container killed (SIGKILL): started again on undo (same data, so an etcd member rejoins with its log). */
export interface DockerKillRecord extends ChangeRecord {
  type: 'docker-kill';
  container: string;
}

export const dockerKill: ChangeKind<DockerKillRecord> = {
  type: 'docker-kill',
  summary: 'a container killed with SIGKILL, started again',
  describe: (r) => `start ${r.container}`,
  validate: (raw) => ({ type: 'docker-kill', container: str(raw, 'container', KDRILL_NAME), ...clusterOf(raw) }),
  async undo(r) {
    const s = await inspectContainer(r.container);
    if (s.paused) await unpauseContainer(r.container);
    await startContainer(r.container);
  },
};

export function killDockerContainer(journal: Journal, container: string): Promise<Applied<void>> {
  return journal.change({ type: 'docker-kill', container } satisfies DockerKillRecord, () => killContainer(container, 'KILL'));
}
