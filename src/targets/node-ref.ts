import type { NodeAccess, NodeRef } from './node.js';
import { dockerNode } from './docker-node.js';
import { podNode } from './pod-node.js';
import { existsSync } from 'node:fs';
import { listKdrillClusters } from '../cluster/kind.js';

/** The node a journal record names, reached the way the run that wrote it reached it. */
export function nodeFromRef(ref: NodeRef): NodeAccess & { close?(): Promise<void> } {
  return ref.via === 'docker' ? dockerNode(ref) : podNode(ref);
}

/**
 * Runs an undo on the node a record names; a node that is gone is skipped (its
 * files went with it). Whatever reaching it needed (a node-access pod made
 * again for the undo) is removed after.
 */
export async function onRecordedNode(ref: NodeRef, undo: (node: NodeAccess) => Promise<void>): Promise<void> {
  if (ref.via === 'pod' && !existsSync(ref.kubeconfig)) {
    // a kind cluster kdrill made takes its kubeconfig with it when it is deleted: then its nodes are gone too
    if (ref.cluster.startsWith('kdrill-') && !(await listKdrillClusters()).includes(ref.cluster)) return;
    throw new Error(`kubeconfig ${ref.kubeconfig} is gone: cannot reach node ${ref.node} (context ${ref.context}) to undo`);
  }
  const node = nodeFromRef(ref);
  try {
    if (!(await node.reachable())) return;
    await undo(node);
  } finally {
    await node.close?.();
  }
}
