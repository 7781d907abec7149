import type { Journal } from '../journal.js';
import type { NodeAccess } from '../targets/node.js';
import { describeNodeRef, type NodeRef } from '../targets/node.js';
import { onRecordedNode } from '../targets/node-ref.js';
import { RecordInvalid, nodeRef, str, type Applied, type ChangeKind, type ChangeRecord } from './change.js';

/**
 * A network device that something set off by a fault will create on a node
 * (a CNI plugin's bridge): deleted on undo if it did not exist before. Only
 * names kdrill gives (kdrill-*) are accepted: a record can never delete eth0.
 */
export interface NodeLinkRecord extends ChangeRecord {
  type: 'node-link';
  node: NodeRef;
  name: string;
  existed: boolean;
}

const LINK_NAME = /^kdrill-[a-z0-9-]{1,8}$/;

export const nodeLink: ChangeKind<NodeLinkRecord> = {
  type: 'node-link',
  summary: 'a network device a fault makes appear on a node (a CNI bridge), deleted if it was not there before',
  describe: (r) => (r.existed ? `leave ${describeNodeRef(r.node)} link ${r.name} (it was there before)` : `delete ${describeNodeRef(r.node)} link ${r.name}`),
  validate(raw) {
    const node = nodeRef(raw);
    if (typeof raw.existed !== 'boolean') throw new RecordInvalid('existed', 'expected true or false');
    return { type: 'node-link', node, name: str(raw, 'name', LINK_NAME), existed: raw.existed, cluster: node.cluster };
  },
  async undo(r) {
    if (r.existed) return;
    await onRecordedNode(r.node, async (node) => {
      const res = await node.exec(['sh', '-c', 'ip link show "$1" >/dev/null 2>&1 || exit 0; ip link delete "$1"', 'sh', r.name]);
      if (res.exitCode !== 0) throw new Error(`delete link ${r.name} on ${r.node.node}: ${res.stderr.trim()}`);
    });
  },
};

/** Journals that `name` is to be removed again (nothing is applied here: the fault's side effect creates it). */
export async function addNodeLinkChange(journal: Journal, node: NodeAccess, name: string): Promise<Applied<void>> {
  if (!LINK_NAME.test(name)) throw new TypeError(`link name ${name}: kdrill only removes links named kdrill-*`);
  const existed = (await node.exec(['ip', 'link', 'show', name])).exitCode === 0;
  return journal.change({ type: 'node-link', node: node.ref, name, existed, cluster: node.ref.cluster } satisfies NodeLinkRecord, async () => undefined);
}
