import type { Journal } from '../journal.js';
import type { NodeAccess } from '../targets/node.js';
import { describeNodeRef, type NodeRef } from '../targets/node.js';
import { onRecordedNode } from '../targets/node-ref.js';
import { absPath, nodeRef, type Applied, type ChangeKind, type ChangeRecord } from './change.js';

/**
 * A node file moved aside (a static pod manifest parked out of the kubelet's
 * manifest directory, so the kubelet stops that pod): moved back on undo.
 */
export interface NodeFileMoveRecord extends ChangeRecord {
  type: 'node-file-move';
  node: NodeRef;
  from: string;
  to: string;
}

export const nodeFileMove: ChangeKind<NodeFileMoveRecord> = {
  type: 'node-file-move',
  summary: 'a node file (e.g. a static pod manifest) moved aside, moved back',
  describe: (r) => `move ${describeNodeRef(r.node)}:${r.to} back to ${r.from}`,
  validate(raw) {
    const node = nodeRef(raw);
    return { type: 'node-file-move', node, from: absPath(raw, 'from'), to: absPath(raw, 'to'), cluster: node.cluster };
  },
  async undo(r) {
    await onRecordedNode(r.node, async (node) => {
      await node.move(r.to, r.from); // false (already back, or never moved) is success
    });
  },
};

/** Journals the way back, then moves; `result` says whether `from` was there. */
export function moveNodeFileChange(journal: Journal, node: NodeAccess, from: string, to: string): Promise<Applied<boolean>> {
  return journal.change({ type: 'node-file-move', node: node.ref, from, to, cluster: node.ref.cluster } satisfies NodeFileMoveRecord, () => node.move(from, to));
}
