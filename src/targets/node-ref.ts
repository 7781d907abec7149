import type { NodeAccess, NodeRef } from './node.js';
import { dockerNode } from './docker-node.js';

/** The node a journal record names, reached the way the run that wrote it reached it. */
export function nodeFromRef(ref: NodeRef): NodeAccess {
  if (ref.via === 'docker') return dockerNode(ref);
  throw new Error(`node ${ref.node}: node access through a privileged pod is not available in this build`);
}
