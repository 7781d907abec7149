import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from './util/paths.js';
import { ownerAlive, thisProcess } from './util/owner.js';
import type { ChangeRecord, UndoContext } from './changes/change.js';
import { UndoDeferred } from './changes/change.js';
import { changeKind, describeRecord, validateRecord } from './changes/registry.js';
import { leaseHolder, describeLease } from './cluster/lease.js';
import { isThisProcess } from './util/owner.js';

/**
 * The on-disk undo log of one run. Every change to the world (a container
 * created, a cgroup limit written, a file written on a node, an object
 * patched) is preceded by its record (src/changes/: what to put back, and
 * how) that is on disk (fsynced, owner-only 0600) before the change starts.
 * Reverting replays pending records newest first; each undo is idempotent,
 * so a crash at any point — even between recording and applying — is
 * repaired by replaying the file (`kdrill clean`).
 */
export interface JournalEntry {
  id: number;
  at: string;
  record: ChangeRecord;
  state: 'pending' | 'reverted';
}

/** What a revert did: undos that failed, and undos that must wait (their cluster is a live run's). */
export interface RevertOutcome {
  errors: Error[];
  deferred: string[];
}

/** A journal file that cannot be read or is not a journal: reported and skipped, never blocking the others. */
export interface BrokenJournal {
  path: string;
  reason: string;
}

/** Undo context of this process: a cluster is "held by another" when a live process other than this one leases it. */
export const processUndoContext: UndoContext = {
  heldByOther(cluster) {
    let l;
    try {
      l = leaseHolder(cluster);
    } catch {
      return undefined; // not a name a lease can have: nobody holds it
    }
    return l && !isThisProcess(l) ? describeLease(l) : undefined;
  },
};

export interface JournalFile {
  runId: string;
  title: string;
  host: string;
  pid: number;
  /** /proc/<pid>/stat start time, so a recycled pid is not taken for a live run. */
  pidStart: string;
  startedAt: string;
  entries: JournalEntry[];
}

export class JournalAborted extends Error {
  constructor() {
    super('the run was interrupted: no further changes are made');
    this.name = 'JournalAborted';
  }
}

export function journalDir(): string {
  return join(stateDir(), 'journal');
}

/** Whether the process that wrote a journal is still running (same pid, same start time, this host). */
export function writerAlive(j: Pick<JournalFile, 'pid' | 'pidStart' | 'host'>): boolean {
  return ownerAlive(j);
}

function writeOwnerOnly(path: string, data: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dfd = openSync(join(path, '..'), 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

export class Journal {
  private lock: Promise<unknown> = Promise.resolve();
  private aborted = false;
  /** journals this process has open (what a second Ctrl-C reports as still to revert) */
  private static readonly mine = new Set<Journal>();

  /** Changes this process has made and not yet undone, over all its open journals. */
  static pendingInProcess(): number {
    return [...Journal.mine].reduce((n, j) => n + j.pending().length, 0);
  }

  private constructor(
    readonly path: string,
    private readonly data: JournalFile,
  ) {}

  static open(runId: string, title: string): Journal {
    const dir = journalDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const j = new Journal(join(dir, `${runId}.json`), {
      runId,
      title,
      ...thisProcess(),
      startedAt: new Date().toISOString(),
      entries: [],
    });
    j.persist();
    Journal.mine.add(j);
    return j;
  }

  /**
   * Journals left on disk (by this or by killed runs), oldest first, and the
   * files there that are not readable journals (reported, skipped: one bad
   * file never blocks the others' cleanup).
   */
  static list(): { journals: Journal[]; broken: BrokenJournal[] } {
    let names: string[];
    try {
      names = readdirSync(journalDir()).filter((n) => n.endsWith('.json'));
    } catch {
      return { journals: [], broken: [] };
    }
    const journals: Journal[] = [];
    const broken: BrokenJournal[] = [];
    for (const n of names.sort()) {
      const path = join(journalDir(), n);
      try {
        journals.push(new Journal(path, parseJournalFile(readFileSync(path, 'utf8'))));
      } catch (e) {
        broken.push({ path, reason: (e as Error).message });
      }
    }
    return { journals, broken };
  }

  get file(): Readonly<JournalFile> {
    return this.data;
  }

  pending(): JournalEntry[] {
    return this.data.entries.filter((e) => e.state === 'pending');
  }

  get isAborted(): boolean {
    return this.aborted;
  }

  private persist(): void {
    writeOwnerOnly(this.path, JSON.stringify(this.data, null, 2) + '\n');
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /**
   * Records `undo` on disk, then runs `apply`. Refused once the run is
   * interrupted. `appliedAt` is the instant the change began (after the record
   * was on disk): the fault's effects can only come after it.
   */
  change<R extends ChangeRecord, T>(record: R, apply: () => Promise<T>): Promise<{ entry: JournalEntry; result: T; appliedAt: number }> {
    return this.exclusive(async () => {
      if (this.aborted) throw new JournalAborted();
      if (!changeKind(record.type)) throw new Error(`journal: unknown change kind ${record.type}`);
      const entry: JournalEntry = { id: this.data.entries.length + 1, at: new Date().toISOString(), record, state: 'pending' };
      this.data.entries.push(entry);
      this.persist();
      const appliedAt = Date.now();
      return { entry, result: await apply(), appliedAt };
    });
  }

  /** Adjusts a change already journaled (e.g. a new throttle value under the same undo record). */
  adjust<T>(entry: JournalEntry, fn: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      if (this.aborted || entry.state !== 'pending') throw new JournalAborted();
      return fn();
    });
  }

  /**
   * Undoes one entry (idempotent: a reverted entry is left alone). The record
   * is validated first, as one read from disk would be. An undo that must
   * wait (UndoDeferred) leaves the entry pending and rejects with it.
   */
  revert(entry: JournalEntry): Promise<void> {
    return this.exclusive(() => this.revertUnlocked(entry));
  }

  /** Undoes several entries newest first (the order they were made in, reversed), without reordering the caller's list. */
  async revertEntries(entries: readonly JournalEntry[]): Promise<void> {
    for (const e of [...entries].sort((a, b) => b.id - a.id)) await this.revert(e);
  }

  private async revertUnlocked(entry: JournalEntry, ctx: UndoContext = processUndoContext): Promise<void> {
    if (entry.state === 'reverted') return;
    const record = validateRecord(entry.record);
    await changeKind(record.type)!.undo(record, ctx);
    entry.state = 'reverted';
    this.persist();
  }

  /**
   * Stops further changes (waiting for one in flight), then undoes every
   * pending entry newest first. Keeps going past failures and reports them;
   * an undo that must wait (its cluster is a live run's) stays pending.
   */
  revertAll(
    opts: { abort?: boolean; onStep?: (what: string, outcome: 'done' | 'deferred' | 'failed', err?: Error) => void; ctx?: UndoContext; only?: (e: JournalEntry) => boolean } = {},
  ): Promise<RevertOutcome> {
    if (opts.abort) this.aborted = true;
    return this.exclusive(async () => {
      const out: RevertOutcome = { errors: [], deferred: [] };
      for (const entry of [...this.pending()].reverse().filter(opts.only ?? (() => true))) {
        const what = describeEntry(entry);
        try {
          await this.revertUnlocked(entry, opts.ctx);
          opts.onStep?.(what, 'done');
        } catch (e) {
          if (e instanceof UndoDeferred) {
            out.deferred.push(e.message);
            opts.onStep?.(what, 'deferred', e);
            continue;
          }
          const err = new Error(`${what}: ${(e as Error).message}`);
          out.errors.push(err);
          opts.onStep?.(what, 'failed', err);
        }
      }
      return out;
    });
  }

  /** Deletes the file when nothing is left to undo; otherwise keeps it for `kdrill clean`. */
  close(): boolean {
    if (this.pending().length > 0) return false;
    rmSync(this.path, { force: true });
    Journal.mine.delete(this);
    return true;
  }

  /** Forgets the journal without undoing it (kept clusters are the user's now). */
  discard(): void {
    rmSync(this.path, { force: true });
    Journal.mine.delete(this);
  }
}

/** An entry's undo in words; a record that does not validate says why instead. */
export function describeEntry(e: JournalEntry): string {
  try {
    return describeRecord(validateRecord(e.record));
  } catch (err) {
    return `entry ${e.id} (${JSON.stringify((e.record as { type?: unknown })?.type)}): invalid record, ${(err as Error).message}`;
  }
}

/** A journal file's JSON, checked for the fields a journal must have (its records are validated when replayed). */
export function parseJournalFile(text: string): JournalFile {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON (${(e as Error).message})`);
  }
  const f = j as Partial<JournalFile>;
  if (!f || typeof f !== 'object') throw new Error('not a journal object');
  for (const k of ['runId', 'title', 'host', 'pidStart', 'startedAt'] as const) {
    if (typeof f[k] !== 'string') throw new Error(`field "${k}": expected a string`);
  }
  if (typeof f.pid !== 'number' || !Number.isInteger(f.pid)) throw new Error('field "pid": expected a whole number');
  if (!Array.isArray(f.entries)) throw new Error('field "entries": expected a list');
  f.entries.forEach((e, i) => {
    if (!e || typeof e !== 'object' || typeof e.id !== 'number' || (e.state !== 'pending' && e.state !== 'reverted') || !e.record) {
      throw new Error(`field "entries[${i}]": expected {id, at, record, state: pending|reverted}`);
    }
  });
  return f as JournalFile;
}
