import type { ChangeKind, ChangeRecord } from './change.js';
import { RecordInvalid } from './change.js';
import { blkioLimit } from './blkio-limit.js';
import { dockerContainer } from './docker-container.js';
import { dockerDisconnect } from './docker-disconnect.js';
import { dockerKill } from './docker-kill.js';
import { dockerNetwork } from './docker-network.js';
import { dockerPause } from './docker-pause.js';
import { ioMax } from './io-max.js';
import { kindCluster } from './kind-cluster.js';
import { kubeObject } from './kube-object.js';
import { loopDisk } from './loop-disk.js';
import { memoryLimit } from './memory-limit.js';
import { nodeDir } from './node-dir.js';
import { nodeFile } from './node-file.js';
import { nodeFileMove } from './node-file-move.js';
import { nodeLink } from './node-link.js';
import { nodeService } from './node-service.js';

/**
 * Every kind of reversible change kdrill makes. `kdrill clean` replays any
 * of them from a journal record alone; the SIGKILL harness has a case per
 * kind (a unit test fails when a kind here has none).
 */
// built on first use, not when this module loads: the kinds' modules reach the journal, which reaches this one
export const changeKinds = (): readonly ChangeKind[] => [
  blkioLimit,
  ioMax,
  memoryLimit,
  dockerContainer,
  dockerNetwork,
  dockerDisconnect,
  dockerPause,
  dockerKill,
  nodeFile,
  nodeFileMove,
  nodeDir,
  nodeLink,
  nodeService,
  loopDisk,
  kindCluster,
  kubeObject,
] as unknown as readonly ChangeKind[];

let registry: Map<string, ChangeKind> | undefined;
const extra: ChangeKind[] = [];
function byTypeMap(): Map<string, ChangeKind> {
  registry ??= new Map<string, ChangeKind>([...changeKinds(), ...extra].map((k) => [k.type, k]));
  return registry;
}

/**
 * Adds a kind of change (a library user's own, or a test's). Its records are
 * replayed by `kdrill clean` only in a process that registered it too.
 */
export function registerChangeKind(kind: ChangeKind): void {
  if (byTypeMap().has(kind.type)) throw new Error(`change kind ${kind.type} is registered already`);
  extra.push(kind);
  byTypeMap().set(kind.type, kind);
}

export function changeKind(type: string): ChangeKind | undefined {
  return byTypeMap().get(type);
}

/** A record read from disk, checked by its kind's validator; throws RecordInvalid naming the field. */
export function validateRecord(raw: unknown): ChangeRecord {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new RecordInvalid('record', 'expected an object');
  const type = (raw as { type?: unknown }).type;
  const kind = typeof type === 'string' ? byTypeMap().get(type) : undefined;
  if (!kind) throw new RecordInvalid('type', `unknown change kind ${JSON.stringify(type)} (known: ${[...byTypeMap().keys()].join(', ')})`);
  return kind.validate(raw as Record<string, unknown>);
}

export function describeRecord(r: ChangeRecord): string {
  return byTypeMap().get(r.type)?.describe(r) ?? `(unknown change kind ${r.type})`;
}
