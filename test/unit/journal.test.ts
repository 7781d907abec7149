import { expect } from 'chai';
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, JournalAborted, journalDir, writerAlive } from '../../src/journal.js';
import { registerChangeKind } from '../../src/changes/registry.js';
import { absPath, str, UndoDeferred, type ChangeKind, type ChangeRecord } from '../../src/changes/change.js';

/** A change kind over a plain file (what a cgroup limit file is to blkio-limit), for the journal's own mechanics. */
interface FileRecord extends ChangeRecord {
  type: 'test-file';
  path: string;
  previous: string;
}
const undone: string[] = [];
const testFile: ChangeKind<FileRecord> = {
  type: 'test-file',
  summary: 'a test file',
  describe: (r) => `restore ${r.path}`,
  validate: (raw) => ({ type: 'test-file', path: absPath(raw, 'path', tmpdir()), previous: typeof raw.previous === 'string' ? raw.previous : str(raw, 'previous') }),
  async undo(r) {
    if (r.previous === 'DEFER') throw new UndoDeferred(`${r.path} is in use`);
    undone.push(r.path);
    writeFileSync(r.path, r.previous); // EISDIR on a directory: a failing undo
  },
};
registerChangeKind(testFile as unknown as ChangeKind);

describe('journal', () => {
  let dir: string;
  let file: string;
  const rec = (path: string, previous = ''): FileRecord => ({ type: 'test-file', path, previous });
  before(() => {
    process.env.KDRILL_STATE = mkdtempSync(join(tmpdir(), 'kdrill-journal-'));
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kdrill-j-'));
    file = join(dir, 'limit');
    writeFileSync(file, '');
    undone.length = 0;
  });

  it('is owner-only (dir 0700, file 0600) even with a permissive umask', () => {
    const old = process.umask(0);
    try {
      const j = Journal.open('perm-test', 't');
      expect(statSync(journalDir()).mode & 0o777).to.equal(0o700);
      expect(statSync(j.path).mode & 0o777).to.equal(0o600);
      j.close();
    } finally {
      process.umask(old);
    }
  });

  it('writes the record to disk before the change runs', async () => {
    const j = Journal.open('before-test', 't');
    let seenOnDisk = false;
    await j.change(rec(file), async () => {
      seenOnDisk = readFileSync(j.path, 'utf8').includes(file);
      writeFileSync(file, '8');
    });
    expect(seenOnDisk).to.equal(true);
    await j.revertAll();
    expect(j.close()).to.equal(true);
  });

  it('refuses a record of an unknown kind before making the change', async () => {
    const j = Journal.open('unknown-test', 't');
    let ran = false;
    const err = await j.change({ type: 'no-such-kind' }, async () => void (ran = true)).catch((e: Error) => e);
    expect((err as Error).message).to.match(/unknown change kind no-such-kind/);
    expect(ran).to.equal(false);
    j.close();
  });

  it('reverts idempotently and a fresh process can replay what a dead one left', async () => {
    const j = Journal.open('replay-test', 't');
    await j.change(rec(file), async () => writeFileSync(file, '8'));
    // "kill" the writer: reload from disk as `kdrill clean` does
    const again = Journal.list().journals.find((x) => x.file.runId === 'replay-test')!;
    expect(again.pending()).to.have.length(1);
    expect(writerAlive(again.file)).to.equal(true); // we are that writer, still alive
    expect(writerAlive({ ...again.file, pid: 999_999_999 })).to.equal(false);
    await again.revertAll();
    expect(readFileSync(file, 'utf8')).to.equal('');
    expect(await again.revertAll()).to.deep.equal({ errors: [], deferred: [] }); // second replay: nothing left, no error
    await again.revert(again.file.entries[0]!);
    expect(again.close()).to.equal(true);
    expect(existsSync(again.path)).to.equal(false);
  });

  it('after an interrupt no further change is made, and the in-flight one is undone', async () => {
    const j = Journal.open('abort-test', 't');
    let applying!: () => void;
    const applyStarted = new Promise<void>((r) => (applying = r));
    const inflight = j.change(rec(file), async () => {
      applying();
      await new Promise((r) => setTimeout(r, 50));
      writeFileSync(file, '8');
    });
    await applyStarted;
    const reverting = j.revertAll({ abort: true });
    await inflight;
    await reverting;
    expect(readFileSync(file, 'utf8')).to.equal('');
    let refused: unknown;
    await j.change(rec(file), async () => undefined).catch((e) => (refused = e));
    expect(refused).to.be.instanceOf(JournalAborted);
    expect(j.close()).to.equal(true);
  });

  it('keeps the file while something could not be undone', async () => {
    const j = Journal.open('keep-test', 't');
    // a directory where a file is expected: the undo fails with EISDIR
    await j.change(rec(dir), async () => undefined);
    const { errors } = await j.revertAll();
    expect(errors).to.have.length(1);
    expect(j.close()).to.equal(false);
    expect(existsSync(j.path)).to.equal(true);
  });

  it('an undo that must wait (its cluster is a live run\'s) stays pending and is reported as deferred, not failed', async () => {
    const j = Journal.open('defer-test', 't');
    await j.change(rec(file, 'DEFER'), async () => undefined);
    const out = await j.revertAll();
    expect(out.errors).to.deep.equal([]);
    expect(out.deferred).to.deep.equal([`${file} is in use`]);
    expect(j.pending()).to.have.length(1);
    j.discard();
  });

  it('revertEntries undoes newest first, the same order however often it is called (a fault reverted twice)', async () => {
    const j = Journal.open('order-test', 't');
    const entries = [];
    for (const n of ['a', 'b', 'c']) entries.push((await j.change(rec(join(dir, n)), async () => undefined)).entry);
    await j.revertEntries(entries);
    expect(undone).to.deep.equal([join(dir, 'c'), join(dir, 'b'), join(dir, 'a')]);
    expect(entries.map((e) => e.id)).to.deep.equal([1, 2, 3]); // the caller's list is not reordered
    undone.length = 0;
    for (const e of entries) e.state = 'pending';
    await j.revertEntries(entries);
    expect(undone).to.deep.equal([join(dir, 'c'), join(dir, 'b'), join(dir, 'a')]);
    j.close();
  });

  it('a record that fails its kind\'s validation is never executed: reported, the others still undone', async () => {
    const j = Journal.open('invalid-test', 't');
    await j.change(rec(file), async () => writeFileSync(file, '8'));
    // tamper with the file on disk as a bad actor (or a bug) might: a path outside the kind's allowed root
    const onDisk = JSON.parse(readFileSync(j.path, 'utf8'));
    onDisk.entries.unshift({ id: 0, at: onDisk.entries[0].at, state: 'pending', record: { type: 'test-file', path: '/etc/passwd', previous: 'x' } });
    writeFileSync(j.path, JSON.stringify(onDisk));
    const again = Journal.list().journals.find((x) => x.file.runId === 'invalid-test')!;
    const { errors } = await again.revertAll();
    expect(errors.map((e) => e.message).join()).to.match(/field "path": \/etc\/passwd is outside/);
    expect(undone).to.deep.equal([file]);
    expect(readFileSync(file, 'utf8')).to.equal('');
    again.discard();
    j.discard();
  });

  it('an unreadable journal is reported and skipped; the readable ones are still listed', async () => {
    const j = Journal.open('readable-test', 't');
    writeFileSync(join(journalDir(), 'garbage.json'), '{ not json');
    writeFileSync(join(journalDir(), 'not-a-journal.json'), JSON.stringify({ hello: 1 }));
    const { journals, broken } = Journal.list();
    expect(journals.map((x) => x.file.runId)).to.include('readable-test');
    expect(broken.map((b) => b.path.split('/').pop())).to.have.members(['garbage.json', 'not-a-journal.json']);
    expect(broken.find((b) => b.path.endsWith('not-a-journal.json'))!.reason).to.match(/field "runId"/);
    j.close();
  });
});
