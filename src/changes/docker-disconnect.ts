import type { Journal } from '../journal.js';
import { connectNetwork, disconnectNetwork } from '../util/container.js';
import { CONTAINER_NAME, KDRILL_NAME, clusterOf, str, RecordInvalid, type Applied, type ChangeKind, type ChangeRecord } from './change.js';

/** A container cut off a docker network (a partition): reconnected with its aliases on undo. */
export interface DockerDisconnectRecord extends ChangeRecord {
  type: 'docker-disconnect';
  container: string;
  network: string;
  aliases: string[];
}

export const dockerDisconnect: ChangeKind<DockerDisconnectRecord> = {
  type: 'docker-disconnect',
  summary: 'a container disconnected from a docker network, reconnected with its aliases',
  describe: (r) => `reconnect ${r.container} to network ${r.network}`,
  validate(raw) {
    const aliases = raw.aliases ?? [];
    if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === 'string' && CONTAINER_NAME.test(a))) throw new RecordInvalid('aliases', 'expected a list of names');
    return { type: 'docker-disconnect', container: str(raw, 'container', KDRILL_NAME), network: str(raw, 'network', CONTAINER_NAME), aliases: aliases as string[], ...clusterOf(raw) };
  },
  undo: (r) => connectNetwork(r.container, r.network, r.aliases),
};

export function disconnectContainer(journal: Journal, o: { container: string; network: string; aliases: string[] }): Promise<Applied<void>> {
  return journal.change({ type: 'docker-disconnect', ...o } satisfies DockerDisconnectRecord, () => disconnectNetwork(o.container, o.network));
}
