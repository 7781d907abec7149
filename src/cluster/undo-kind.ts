import { execa } from 'execa';
import { deleteCluster } from './cluster.js';
import { destroyLoopDisk } from './loop-disk.js';
import { moveNodeFile, writeNodeFile } from './node-files.js';

/**
 * Undo records for what kind drills change: plain data, replayable by
 * `kdrill clean` in a fresh process, idempotent.
 */
export type KindUndoRecord =
  | { type: 'kind-cluster'; name: string }
  | { type: 'loop-disk'; file: string; mountpoint: string }
  /** Put a node file back as it was (base64 of its content; absent = delete it). */
  | { type: 'node-file'; container: string; path: string; contentB64?: string }
  /** Move a node file back to where it was (static pod manifests moved aside). */
  | { type: 'node-file-move'; container: string; from: string; to: string };

export const KIND_UNDO_TYPES = ['kind-cluster', 'loop-disk', 'node-file', 'node-file-move'] as const;

async function containerExists(name: string): Promise<boolean> {
  return (await execa('docker', ['inspect', '--format', '{{.State.Running}}', name], { reject: false })).stdout.trim() === 'true';
}

export function describeKindUndo(u: KindUndoRecord): string {
  switch (u.type) {
    case 'kind-cluster':
      return `delete kind cluster ${u.name}`;
    case 'loop-disk':
      return `unmount and delete loop disk ${u.file}`;
    case 'node-file':
      return u.contentB64 === undefined ? `remove ${u.container}:${u.path}` : `restore ${u.container}:${u.path}`;
    case 'node-file-move':
      return `move ${u.container}:${u.to} back to ${u.from}`;
  }
}

export async function executeKindUndo(u: KindUndoRecord): Promise<void> {
  switch (u.type) {
    case 'kind-cluster':
      return deleteCluster(u.name);
    case 'loop-disk':
      return destroyLoopDisk(u.file, u.mountpoint);
    case 'node-file':
      if (!(await containerExists(u.container))) return; // the node is gone, and its file with it
      if (u.contentB64 === undefined) {
        await execa('docker', ['exec', u.container, 'rm', '-f', u.path]);
        return;
      }
      return writeNodeFile(u.container, u.path, Buffer.from(u.contentB64, 'base64').toString('utf8'));
    case 'node-file-move':
      if (!(await containerExists(u.container))) return;
      await moveNodeFile(u.container, u.to, u.from);
      return;
  }
}
