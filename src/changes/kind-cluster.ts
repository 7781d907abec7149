import type { Journal } from '../journal.js';
import { deleteCluster } from '../cluster/cluster.js';
import { heldLeases, leaseOrHolder, releaseLease, describeLease } from '../cluster/lease.js';
import { KDRILL_NAME, UndoDeferred, str, type Applied, type ChangeKind, type ChangeRecord } from './change.js';

/** A kind cluster kdrill created: deleted with everything kdrill keeps for it (kubeconfig, kind configs, etcd disks). */
export interface KindClusterRecord extends ChangeRecord {
  type: 'kind-cluster';
  cluster: string;
}

export const kindCluster: ChangeKind<KindClusterRecord> = {
  type: 'kind-cluster',
  summary: 'a kind cluster kdrill created, deleted (unless a live run holds its lease)',
  describe: (r) => `delete kind cluster ${r.cluster}`,
  validate: (raw) => ({ type: 'kind-cluster', cluster: str(raw, 'cluster', KDRILL_NAME) }),
  async undo(r, ctx) {
    // a later run may have taken the cluster over (reuse is not journaled as creation): never delete it under that
    // run. The check is the lease itself, held while deleting, so no run starts on a cluster that is going away.
    const deferred = (holder: string) =>
      new UndoDeferred(`${r.cluster} is in use by another kdrill run (${holder}): left; \`kdrill clean\` deletes it once that run has ended`);
    const other = ctx.heldByOther(r.cluster);
    if (other) throw deferred(other);
    const had = heldLeases().includes(r.cluster);
    const holder = leaseOrHolder(r.cluster, 'kdrill: deleting the cluster');
    if (holder) throw deferred(describeLease(holder));
    try {
      await deleteCluster(r.cluster);
    } finally {
      if (!had) releaseLease(r.cluster);
    }
  },
};

export function createKindClusterChange<T>(journal: Journal, cluster: string, create: () => Promise<T>): Promise<Applied<T>> {
  return journal.change({ type: 'kind-cluster', cluster } satisfies KindClusterRecord, create);
}
