import { Journal, describeEntry, writerAlive } from '../journal.js';
import { validateRecord } from '../changes/registry.js';
import { parseCommandArgs } from './args.js';

const USAGE = `usage: kdrill clean [--dry-run] [--force]

Undoes what killed runs left behind: replays the journals under
$KDRILL_STATE/journal, every pending change newest first. Journals of runs
still alive are left alone unless --force. A journal file that cannot be read,
or a record that fails its kind's validation, is reported and skipped: it never
blocks the others. A kind cluster (or its disk) that a live run uses is left
until that run has ended. Exit 0 when nothing is left to undo, 2 otherwise.`;

/** kdrill clean: the journal replay after SIGKILL, a crash or a power loss. */
export async function run(argv: string[]): Promise<number> {
  const a = parseCommandArgs('clean', argv, USAGE, { 'dry-run': 'boolean', force: 'boolean' }, { positionals: false });
  if (a.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const force = a.values.force === true;
  const dry = a.values['dry-run'] === true;
  const { journals, broken } = Journal.list();
  for (const b of broken) process.stderr.write(`skip ${b.path}: not a readable journal (${b.reason}); inspect it, undo by hand, then delete it\n`);
  let failed = 0;
  let undone = 0;
  let deferred = 0;
  for (const j of journals) {
    const f = j.file;
    if (!force && writerAlive(f)) {
      process.stderr.write(`skip ${f.runId}: its run (pid ${f.pid}) is still running (--force to clean anyway)\n`);
      continue;
    }
    // a record that fails its kind's validation is never executed: one line each, left in the journal for a person
    const invalid = j.pending().filter((e) => {
      try {
        validateRecord(e.record);
        return false;
      } catch (err) {
        process.stderr.write(`skip ${f.runId} entry ${e.id}: invalid ${JSON.stringify((e.record as { type?: unknown }).type ?? '?')} record, ${(err as Error).message}; inspect ${j.path} and undo by hand\n`);
        return true;
      }
    });
    failed += invalid.length;
    const pending = j.pending().filter((e) => !invalid.includes(e));
    if (!pending.length) {
      j.close();
      continue;
    }
    process.stderr.write(`${f.runId} (${f.title}, pid ${f.pid}, started ${f.startedAt}): ${pending.length} change(s) to undo\n`);
    if (dry) {
      for (const e of [...pending].reverse()) process.stderr.write(`  would ${describeEntry(e)}\n`);
      continue;
    }
    const out = await j.revertAll({
      abort: true,
      only: (e) => !invalid.includes(e),
      onStep: (what, outcome, err) => process.stderr.write(`  ${outcome === 'done' ? 'done' : outcome === 'deferred' ? 'LEFT' : 'FAILED'}: ${what}${err ? ` (${err.message})` : ''}\n`),
    });
    undone += pending.length - out.errors.length - out.deferred.length;
    failed += out.errors.length;
    deferred += out.deferred.length;
    j.close();
  }
  process.stdout.write(
    `clean: ${journals.length} journal(s), ${undone} change(s) undone, ${failed} failed, ${deferred} left for a live run, ${broken.length} unreadable journal(s)\n`,
  );
  return failed || broken.length ? 2 : 0;
}
