import { readFile, writeFile } from 'node:fs/promises';
import {
  connectNetwork,
  inspectContainer,
  removeContainer,
  removeNetwork,
  startContainer,
  unpauseContainer,
} from './util/container.js';
import { KIND_UNDO_TYPES, describeKindUndo, executeKindUndo, type KindUndoRecord } from './cluster/undo-kind.js';

function isKindUndo(u: UndoRecord): u is KindUndoRecord {
  return (KIND_UNDO_TYPES as readonly string[]).includes(u.type);
}

/**
 * Undo records: plain, serializable data written to the journal BEFORE the
 * change they undo, so that a fresh process (`kdrill clean`) can replay them.
 * Every executor is idempotent: undoing twice, or undoing a change that never
 * happened, is success.
 */
export type UndoRecord =
  | { type: 'blkio-throttle'; cgroupFile: string; device: string; previous: number }
  | { type: 'docker-network-connect'; container: string; network: string; aliases?: string[] }
  | { type: 'docker-unpause'; container: string }
  | { type: 'docker-start'; container: string }
  | { type: 'docker-rm'; container: string }
  | { type: 'docker-network-rm'; network: string }
  | KindUndoRecord;

/** Reads the current limit for `device` ("major:minor") from a blkio.throttle.* file; 0 = no limit. */
export async function readBlkioLimit(cgroupFile: string, device: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(cgroupFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  for (const line of text.split('\n')) {
    const [dev, v] = line.trim().split(/\s+/);
    if (dev === device) return Number(v);
  }
  return 0;
}

/** Writes a limit (0 removes the rule). A cgroup that no longer exists has no limit: success. */
export async function writeBlkioLimit(cgroupFile: string, device: string, value: number): Promise<void> {
  try {
    await writeFile(cgroupFile, `${device} ${value}\n`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENODEV') return;
    throw e;
  }
  const now = await readBlkioLimit(cgroupFile, device);
  if (now !== undefined && now !== value) throw new Error(`${cgroupFile}: wrote ${device} ${value} but it reads ${now}`);
}

export function describeUndo(u: UndoRecord): string {
  if (isKindUndo(u)) return describeKindUndo(u);
  switch (u.type) {
    case 'blkio-throttle':
      return `restore ${u.cgroupFile} ${u.device} to ${u.previous || 'unlimited'}`;
    case 'docker-network-connect':
      return `reconnect ${u.container} to network ${u.network}`;
    case 'docker-unpause':
      return `unpause ${u.container}`;
    case 'docker-start':
      return `start ${u.container}`;
    case 'docker-rm':
      return `remove container ${u.container}`;
    case 'docker-network-rm':
      return `remove network ${u.network}`;
  }
}

export async function executeUndo(u: UndoRecord): Promise<void> {
  if (isKindUndo(u)) return executeKindUndo(u);
  switch (u.type) {
    case 'blkio-throttle':
      return writeBlkioLimit(u.cgroupFile, u.device, u.previous);
    case 'docker-network-connect':
      return connectNetwork(u.container, u.network, u.aliases);
    case 'docker-unpause':
      return unpauseContainer(u.container);
    case 'docker-start': {
      const s = await inspectContainer(u.container);
      if (s.paused) await unpauseContainer(u.container);
      return startContainer(u.container);
    }
    case 'docker-rm':
      return removeContainer(u.container);
    case 'docker-network-rm':
      return removeNetwork(u.network);
    default:
      throw new Error(`journal: unknown undo record type ${JSON.stringify((u as { type?: unknown }).type)}`);
  }
}
