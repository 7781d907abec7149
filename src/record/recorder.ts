import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../util/paths.js';
import { applyEvent, emptyRecord, type RunEvent, type RunRecord } from './run-record.js';

/** Where live records go: $KDRILL_STATE/runs/<runId>.jsonl (the newest KEEP are kept). */
export function runsDir(): string {
  return join(stateDir(), 'runs');
}

const KEEP = 100;

/**
 * Writes the run record as JSON Lines while the run goes: one write(2) per
 * event, so the page cache has every line at once and a run killed with
 * SIGKILL leaves a record readable up to its last event. Keeps the record in
 * memory too, for the views at the end of the run.
 */
export class RunRecorder {
  readonly record: RunRecord = emptyRecord();
  private fd: number | undefined;
  readonly path: string | undefined;

  constructor(runId: string, opts: { file?: string | false } = {}) {
    if (opts.file === false) return;
    const dir = runsDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.path = opts.file ?? join(dir, `${runId}.jsonl`);
    this.fd = openSync(this.path, 'a', 0o600);
    pruneRuns(dir);
  }

  emit(ev: RunEvent): void {
    applyEvent(this.record, ev);
    if (this.fd !== undefined) {
      try {
        writeSync(this.fd, JSON.stringify(ev) + '\n');
      } catch {
        // a full disk must not stop a drill from reverting its fault: the in-memory record goes on
        closeSync(this.fd);
        this.fd = undefined;
      }
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Keeps the newest KEEP records. */
function pruneRuns(dir: string): void {
  let files: { f: string; t: number }[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }));
  } catch {
    return;
  }
  files.sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(KEEP)) rmSync(join(dir, f), { force: true });
}
