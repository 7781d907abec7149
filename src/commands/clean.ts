import { Journal, writerAlive } from '../journal.js';
import { describeUndo } from '../undo.js';
import { KdrillError } from '../util/errors.js';

/**
 * kdrill clean: replays the journals that runs left behind (killed with
 * SIGKILL, crashed, lost power): every pending undo, newest first. Journals of
 * runs still alive are left alone unless --force.
 */
export async function run(argv: string[]): Promise<number> {
  const force = argv.includes('--force');
  const dry = argv.includes('--dry-run');
  const unknown = argv.filter((a) => a !== '--force' && a !== '--dry-run');
  if (unknown.length) throw new KdrillError(`clean: unexpected argument "${unknown[0]}"`, { hint: 'usage: kdrill clean [--dry-run] [--force]' });
  const journals = Journal.list();
  let failed = 0;
  let undone = 0;
  for (const j of journals) {
    const f = j.file;
    if (!force && writerAlive(f)) {
      process.stderr.write(`skip ${f.runId}: its run (pid ${f.pid}) is still running (--force to clean anyway)\n`);
      continue;
    }
    const pending = j.pending();
    process.stderr.write(`${f.runId} (${f.title}, pid ${f.pid}, started ${f.startedAt}): ${pending.length} change(s) to undo\n`);
    if (dry) {
      for (const e of [...pending].reverse()) process.stderr.write(`  would ${describeUndo(e.undo)}\n`);
      continue;
    }
    const errors = await j.revertAll({
      abort: true,
      onStep: (what, err) => process.stderr.write(`  ${err ? 'FAILED' : 'done'}: ${what}${err ? ` (${err.message})` : ''}\n`),
    });
    undone += pending.length - errors.length;
    failed += errors.length;
    j.close();
  }
  process.stdout.write(`clean: ${journals.length} journal(s), ${undone} change(s) undone, ${failed} failed\n`);
  return failed ? 2 : 0;
}
