import { readFileSync } from 'node:fs';
import { KdrillError } from '../util/errors.js';
import { applyEvent, emptyRecord, RECORD_VERSION, type RunEvent, type RunRecord } from './run-record.js';

/**
 * Reads a JSON Lines run record back. A record a killed run left ends early
 * (and its last line may be cut short): what is there is read, and the record
 * says it is not complete.
 */
export function parseRecord(text: string, name = 'record'): RunRecord {
  const r = emptyRecord();
  const lines = text.split('\n');
  let seenRun = false;
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let ev: RunEvent;
    try {
      ev = JSON.parse(line) as RunEvent;
    } catch {
      if (i >= lines.length - 2) return; // the last line of a killed run, cut short
      throw new KdrillError(`${name}: line ${i + 1} is not JSON`, { hint: 'a run record is JSON Lines written by `kdrill run`' });
    }
    if (!seenRun) {
      if (ev.e !== 'run') throw new KdrillError(`${name}: line ${i + 1}: expected the "run" event first, got ${JSON.stringify((ev as { e?: unknown }).e)}`);
      if (ev.v !== RECORD_VERSION) throw new KdrillError(`${name}: record version ${ev.v}; this kdrill reads version ${RECORD_VERSION}`);
      seenRun = true;
    }
    applyEvent(r, ev);
  });
  if (!seenRun) throw new KdrillError(`${name}: no run in it (empty file?)`);
  return r;
}

export function readRecord(path: string): RunRecord {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new KdrillError(`cannot read run record ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseRecord(text, path);
}
