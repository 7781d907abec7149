import type { Journal } from '../journal.js';
import type { NodeAccess } from '../targets/node.js';
import { describeNodeRef, type NodeRef } from '../targets/node.js';
import { onRecordedNode } from '../targets/node-ref.js';
import { absPath, b64, nodeRef, type Applied, type ChangeKind, type ChangeRecord } from './change.js';

/**
 * A directory on a node, restored exactly as it was: every file's bytes,
 * mode, owner and time, nothing more (files added since are removed), or the
 * directory removed if it did not exist (a tar archive taken before the change).
 * For what a fault changes indirectly: /etc/cni/net.d on every node, the IPAM
 * state a CNI plugin leaves under /var/lib/cni/networks.
 */
export interface NodeDirRecord extends ChangeRecord {
  type: 'node-dir';
  node: NodeRef;
  path: string;
  /** base64 tar of the directory before; absent = it did not exist */
  priorTarB64?: string;
}

export const nodeDir: ChangeKind<NodeDirRecord> = {
  type: 'node-dir',
  summary: 'a node directory tree, restored file for file (bytes, modes, owners), or removed if it was absent',
  describe: (r) => (r.priorTarB64 === undefined ? `remove directory ${describeNodeRef(r.node)}:${r.path}` : `restore directory ${describeNodeRef(r.node)}:${r.path} exactly`),
  validate(raw) {
    const node = nodeRef(raw);
    const path = absPath(raw, 'path');
    return { type: 'node-dir', node, path, ...(raw.priorTarB64 === undefined ? {} : { priorTarB64: b64(raw, 'priorTarB64') }), cluster: node.cluster };
  },
  async undo(r) {
    await onRecordedNode(r.node, async (node) => {
      await node.restoreDir(r.path, r.priorTarB64 === undefined ? undefined : Buffer.from(r.priorTarB64, 'base64'));
    });
  },
};

/** Journals the directory as it is now; `change` then alters it (directly or through what it sets off). */
export async function snapshotNodeDir<T>(journal: Journal, node: NodeAccess, path: string, change: () => Promise<T> = async () => undefined as T): Promise<Applied<T>> {
  const tar = await node.archiveDir(path);
  const rec: NodeDirRecord = { type: 'node-dir', node: node.ref, path, cluster: node.ref.cluster, ...(tar ? { priorTarB64: tar.toString('base64') } : {}) };
  return journal.change(rec, change);
}
