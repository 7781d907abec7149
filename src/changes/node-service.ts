import type { Journal } from '../journal.js';
import type { NodeAccess } from '../targets/node.js';
import { describeNodeRef, type NodeRef } from '../targets/node.js';
import { onRecordedNode } from '../targets/node-ref.js';
import { RecordInvalid, nodeRef, str, type Applied, type ChangeKind, type ChangeRecord } from './change.js';

/**
 * A systemd unit on a node stopped (the kubelet: the node stops reporting and
 * goes NotReady) or restarted to read a changed config; undo puts it back in
 * the state it was in (active: started, or restarted so that it reads the
 * config a node-file undo restored). Only units a node runs for Kubernetes.
 */
export interface NodeServiceRecord extends ChangeRecord {
  type: 'node-service';
  node: NodeRef;
  unit: string;
  /** stop: stopped now, started on undo; restart: restarted on undo (after a config change journaled later is undone) */
  action: 'stop' | 'restart';
  /** whether it was active before */
  wasActive: boolean;
}

const UNITS = /^(kubelet|containerd)$/;

async function isActive(node: NodeAccess, unit: string): Promise<boolean> {
  return (await node.exec(['systemctl', 'is-active', '--quiet', unit])).exitCode === 0;
}

async function systemctl(node: NodeAccess, verb: 'start' | 'stop' | 'restart', unit: string): Promise<void> {
  const r = await node.exec(['systemctl', verb, unit], { timeoutMs: 90_000 });
  if (r.exitCode !== 0) throw new Error(`systemctl ${verb} ${unit} on ${node.name}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
}

export const nodeService: ChangeKind<NodeServiceRecord> = {
  type: 'node-service',
  summary: "a node's kubelet or containerd stopped or restarted, put back to running (restarted again to read its restored config)",
  describe: (r) => `${r.wasActive ? (r.action === 'stop' ? 'start' : 'restart') : 'leave'} ${r.unit} on ${describeNodeRef(r.node)}`,
  validate(raw) {
    const node = nodeRef(raw);
    if (raw.action !== 'stop' && raw.action !== 'restart') throw new RecordInvalid('action', `expected "stop" or "restart", got ${JSON.stringify(raw.action)}`);
    if (typeof raw.wasActive !== 'boolean') throw new RecordInvalid('wasActive', 'expected true or false');
    return { type: 'node-service', node, unit: str(raw, 'unit', UNITS), action: raw.action, wasActive: raw.wasActive, cluster: node.cluster };
  },
  async undo(r) {
    if (!r.wasActive) return;
    await onRecordedNode(r.node, async (node) => {
      // a restart reads the config as it is now (restored by the node-file undo journaled before this record)
      if (r.action === 'restart') await systemctl(node, 'restart', r.unit);
      else if (!(await isActive(node, r.unit))) await systemctl(node, 'start', r.unit);
    });
  },
};

/** Journals that the unit runs, then stops it (undo starts it). */
export async function stopNodeService(journal: Journal, node: NodeAccess, unit: 'kubelet' | 'containerd'): Promise<Applied<void>> {
  const rec: NodeServiceRecord = { type: 'node-service', node: node.ref, unit, action: 'stop', wasActive: await isActive(node, unit), cluster: node.ref.cluster };
  return journal.change(rec, () => systemctl(node, 'stop', unit));
}

/**
 * Journals, before a config change, that undoing it needs a restart of the
 * unit: records are undone newest first, so the config journaled after this
 * is restored first and the restart then reads it. Changes nothing now: the
 * caller restarts the unit (restartNodeService) once the config is written.
 */
export async function restartOnUndo(journal: Journal, node: NodeAccess, unit: 'kubelet' | 'containerd'): Promise<Applied<void>> {
  const rec: NodeServiceRecord = { type: 'node-service', node: node.ref, unit, action: 'restart', wasActive: await isActive(node, unit), cluster: node.ref.cluster };
  return journal.change(rec, async () => undefined);
}

/** Restarts a unit now (it reads its config again). */
export function restartNodeService(node: NodeAccess, unit: 'kubelet' | 'containerd'): Promise<void> {
  return systemctl(node, 'restart', unit);
}
