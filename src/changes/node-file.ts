import type { Journal } from '../journal.js';
import type { NodeAccess } from '../targets/node.js';
import { describeNodeRef, type NodeRef } from '../targets/node.js';
import { onRecordedNode } from '../targets/node-ref.js';
import { absPath, b64, int, nodeRef, RecordInvalid, type Applied, type ChangeKind, type ChangeRecord } from './change.js';

/** A file on a node written or removed; undo puts back its exact bytes, mode and owner (or removes it if it was absent). */
export interface NodeFileRecord extends ChangeRecord {
  type: 'node-file';
  node: NodeRef;
  path: string;
  /** the file before the change; absent = there was none */
  prior?: { b64: string; mode: number; uid: number; gid: number };
}

export const nodeFile: ChangeKind<NodeFileRecord> = {
  type: 'node-file',
  summary: 'a node file written or removed, restored byte for byte with its mode and owner',
  describe: (r) => (r.prior ? `restore ${describeNodeRef(r.node)}:${r.path} (mode ${r.prior.mode.toString(8)})` : `remove ${describeNodeRef(r.node)}:${r.path}`),
  validate(raw) {
    const node = nodeRef(raw);
    const path = absPath(raw, 'path');
    let prior: NodeFileRecord['prior'];
    if (raw.prior !== undefined) {
      if (!raw.prior || typeof raw.prior !== 'object') throw new RecordInvalid('prior', 'expected {b64, mode, uid, gid}');
      const p = raw.prior as Record<string, unknown>;
      prior = { b64: b64(p, 'b64'), mode: int(p, 'mode', 0, 0o7777), uid: int(p, 'uid'), gid: int(p, 'gid') };
    }
    return { type: 'node-file', node, path, ...(prior ? { prior } : {}), cluster: node.cluster };
  },
  async undo(r) {
    await onRecordedNode(r.node, async (node) => {
      if (!r.prior) {
        await node.remove(r.path);
        return;
      }
      await node.writeFile(r.path, { content: Buffer.from(r.prior.b64, 'base64'), mode: r.prior.mode, uid: r.prior.uid, gid: r.prior.gid });
    });
  },
};

async function record(node: NodeAccess, path: string): Promise<NodeFileRecord> {
  const f = await node.readFile(path);
  return {
    type: 'node-file',
    node: node.ref,
    path,
    cluster: node.ref.cluster,
    ...(f ? { prior: { b64: f.content.toString('base64'), mode: f.mode, uid: f.uid, gid: f.gid } } : {}),
  };
}

/** Journals the file as it is, then writes `content` (mode default 0644, or the file's own). */
export async function writeNodeFileChange(journal: Journal, node: NodeAccess, path: string, content: string | Buffer, mode?: number): Promise<Applied<void> & { prior?: NodeFileRecord['prior'] }> {
  const rec = await record(node, path);
  const applied = await journal.change(rec, () => node.writeFile(path, { content, mode: mode ?? rec.prior?.mode ?? 0o644, uid: rec.prior?.uid, gid: rec.prior?.gid }));
  return { ...applied, prior: rec.prior };
}

/** Journals the file as it is, then removes it; `result` says whether it was there. */
export async function removeNodeFileChange(journal: Journal, node: NodeAccess, path: string): Promise<Applied<boolean>> {
  return journal.change(await record(node, path), () => node.remove(path));
}
