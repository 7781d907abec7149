import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from './util/paths.js';
import { ownerAlive, thisProcess } from './util/owner.js';
import { describeUndo, executeUndo, type UndoRecord } from './undo.js';

/**
 * The on-disk undo log of one run. Every change to the world (a container
 * created, a cgroup limit written, a network disconnected) is preceded by an
 * undo record that is on disk (fsynced, owner-only 0600) before the change
 * starts. Reverting replays pending records newest first; each undo is
 * idempotent, so a crash at any point — even between recording and applying —
 * is repaired by replaying the file (`kdrill clean`).
 */
export interface JournalEntry {
  id: number;
  at: string;
  undo: UndoRecord;
  state: 'pending' | 'reverted';
}

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
    return j;
  }

  /** Journals left on disk (by this or by killed runs), oldest first. */
  static list(): Journal[] {
    let names: string[];
    try {
      names = readdirSync(journalDir()).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    const out: Journal[] = [];
    for (const n of names.sort()) {
      const path = join(journalDir(), n);
      try {
        out.push(new Journal(path, JSON.parse(readFileSync(path, 'utf8')) as JournalFile));
      } catch (e) {
        throw new Error(`journal ${path} is unreadable (${(e as Error).message}); inspect it, undo by hand, then delete it`);
      }
    }
    return out;
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
  change<T>(undo: UndoRecord, apply: () => Promise<T>): Promise<{ entry: JournalEntry; result: T; appliedAt: number }> {
    return this.exclusive(async () => {
      if (this.aborted) throw new JournalAborted();
      const entry: JournalEntry = { id: this.data.entries.length + 1, at: new Date().toISOString(), undo, state: 'pending' };
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

  /** Undoes one entry (idempotent: a reverted entry is left alone). */
  revert(entry: JournalEntry): Promise<void> {
    return this.exclusive(() => this.revertUnlocked(entry));
  }

  private async revertUnlocked(entry: JournalEntry): Promise<void> {
    if (entry.state === 'reverted') return;
    await executeUndo(entry.undo);
    entry.state = 'reverted';
    this.persist();
  }

  /**
   * Stops further changes (waiting for one in flight), then undoes every
   * pending entry newest first. Keeps going past failures and reports them.
   */
  revertAll(opts: { abort?: boolean; onStep?: (what: string, err?: Error) => void } = {}): Promise<Error[]> {
    if (opts.abort) this.aborted = true;
    return this.exclusive(async () => {
      const errors: Error[] = [];
      for (const entry of [...this.pending()].reverse()) {
        try {
          await this.revertUnlocked(entry);
          opts.onStep?.(describeUndo(entry.undo));
        } catch (e) {
          const err = new Error(`${describeUndo(entry.undo)}: ${(e as Error).message}`);
          errors.push(err);
          opts.onStep?.(describeUndo(entry.undo), err);
        }
      }
      return errors;
    });
  }

  /** Deletes the file when nothing is left to undo; otherwise keeps it for `kdrill clean`. */
  close(): boolean {
    if (this.pending().length > 0) return false;
    rmSync(this.path, { force: true });
    return true;
  }
}
