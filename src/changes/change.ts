import { isAbsolute, normalize } from 'node:path';
import type { JournalEntry } from '../journal.js';
import type { NodeRef } from '../targets/node.js';

/**
 * Reversible changes: one kind per file under src/changes/, each with
 * - `apply`: reads the prior state, writes the undo record to the journal
 *   (on disk, fsynced) and only then makes the change;
 * - `undo`: puts the prior state back exactly; idempotent (undoing twice, or
 *   undoing a change that never happened, is success);
 * - `describe`: the undo in words (`kdrill clean --dry-run`, reports);
 * - `validate`: checks a record read from disk before `kdrill clean` (root)
 *   acts on it: a record that fails is reported and skipped, never executed.
 * Faults compose changes; `kdrill clean` replays any kind from its record alone.
 */
export interface ChangeRecord {
  type: string;
  /** The cluster (kind cluster name or kubeconfig context) the change touches, for lease checks. */
  cluster?: string;
}

export interface UndoContext {
  /** Whether another live run holds `cluster` (a record must not delete what a live run uses). */
  heldByOther(cluster: string): string | undefined;
}

/** Thrown by `undo` when the record must wait (e.g. its cluster is in use): the entry stays pending. */
export class UndoDeferred extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndoDeferred';
  }
}

export class RecordInvalid extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`field "${field}": ${message}`);
    this.name = 'RecordInvalid';
  }
}

export interface ChangeKind<R extends ChangeRecord = ChangeRecord> {
  type: R['type'];
  /** One line: what this kind changes (for the registry's documentation and the harness). */
  summary: string;
  describe(r: R): string;
  validate(raw: Record<string, unknown>): R;
  undo(r: R, ctx: UndoContext): Promise<void>;
}

/** What an apply returns: the journal entry (to revert it later), the instant the change began, and its result. */
export interface Applied<T = void> {
  entry: JournalEntry;
  appliedAt: number;
  result: T;
}

// --- validation helpers: each names the field it rejects ---

export function str(raw: Record<string, unknown>, field: string, re?: RegExp): string {
  const v = raw[field];
  if (typeof v !== 'string' || v === '') throw new RecordInvalid(field, `expected a non-empty string, got ${JSON.stringify(v)}`);
  if (re && !re.test(v)) throw new RecordInvalid(field, `${JSON.stringify(v)} does not match ${re}`);
  return v;
}

/** The optional `cluster` every record may carry. */
export function clusterOf(raw: Record<string, unknown>): { cluster?: string } {
  const c = optStr(raw, 'cluster', /^[A-Za-z0-9@:._\/-]{1,253}$/);
  return c === undefined ? {} : { cluster: c };
}

export function optStr(raw: Record<string, unknown>, field: string, re?: RegExp): string | undefined {
  return raw[field] === undefined ? undefined : str(raw, field, re);
}

export function int(raw: Record<string, unknown>, field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = raw[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new RecordInvalid(field, `expected a whole number ${min}..${max}, got ${JSON.stringify(v)}`);
  return v;
}

/** An absolute, normalised path without `..` (a record never names a relative or climbing path). */
export function absPath(raw: Record<string, unknown>, field: string, under?: string): string {
  const p = str(raw, field);
  if (!isAbsolute(p) || normalize(p) !== p || p.split('/').includes('..')) throw new RecordInvalid(field, `expected an absolute normalised path, got ${JSON.stringify(p)}`);
  if (under && !(p === under || p.startsWith(under.endsWith('/') ? under : `${under}/`))) throw new RecordInvalid(field, `${p} is outside ${under}`);
  return p;
}

export function b64(raw: Record<string, unknown>, field: string): string {
  const v = raw[field];
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw new RecordInvalid(field, 'expected base64');
  return v;
}

/** Names kdrill gives its kind clusters and containers. */
export const KDRILL_NAME = /^kdrill-[a-z0-9][a-z0-9.-]*$/;
/** kind cluster names (kind's own rule, lower case). */
export const KIND_CLUSTER_NAME = /^[a-z0-9][a-z0-9.-]*$/;
/** Docker container names in general. */
export const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export function nodeRef(raw: Record<string, unknown>, field = 'node'): NodeRef {
  const v = raw[field];
  if (!v || typeof v !== 'object') throw new RecordInvalid(field, 'expected a node reference');
  const r = v as Record<string, unknown>;
  const sub = (f: string, re?: RegExp) => {
    try {
      return str(r, f, re);
    } catch (e) {
      throw new RecordInvalid(`${field}.${f}`, (e as Error).message.replace(/^field "[^"]*": /, ''));
    }
  };
  if (r.via === 'docker') {
    // a kdrill container, or a node of the kind cluster the record names (a cluster the user named to `kdrill run`):
    // never any other container on this host
    const cluster = sub('cluster', KIND_CLUSTER_NAME);
    const node = sub('node');
    const container = sub('container', CONTAINER_NAME);
    const kindNode = new RegExp(`^${cluster.replace(/\./g, '\\.')}-(control-plane|worker)\\d*$`);
    if (!KDRILL_NAME.test(container) && !(container === node && kindNode.test(container))) {
      throw new RecordInvalid(`${field}.container`, `"${container}" is neither a kdrill container nor a node of kind cluster ${cluster}`);
    }
    return { via: 'docker', cluster, node, container };
  }
  if (r.via === 'pod') {
    return {
      via: 'pod',
      cluster: sub('cluster'),
      node: sub('node'),
      kubeconfig: sub('kubeconfig'),
      context: sub('context'),
      namespace: sub('namespace', /^kdrill-[a-z0-9-]+$/),
      image: sub('image'),
    };
  }
  throw new RecordInvalid(`${field}.via`, `expected "docker" or "pod", got ${JSON.stringify(r.via)}`);
}
