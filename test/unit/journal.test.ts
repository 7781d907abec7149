import { expect } from 'chai';
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, JournalAborted, journalDir, writerAlive } from '../../src/journal.js';

// Real files stand in for cgroup files: the blkio-throttle undo writes "<dev> <value>" and reads it back.
describe('journal', () => {
  let dir: string;
  let limit: string;
  before(() => {
    process.env.KDRILL_STATE = mkdtempSync(join(tmpdir(), 'kdrill-journal-'));
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kdrill-cg-'));
    limit = join(dir, 'blkio.throttle.write_iops_device');
    writeFileSync(limit, '');
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

  it('writes the undo record to disk before the change runs', async () => {
    const j = Journal.open('before-test', 't');
    let seenOnDisk = false;
    await j.change({ type: 'blkio-throttle', cgroupFile: limit, device: '254:0', previous: 0 }, async () => {
      seenOnDisk = readFileSync(j.path, 'utf8').includes(limit);
      writeFileSync(limit, '254:0 8\n');
    });
    expect(seenOnDisk).to.equal(true);
    await j.revertAll();
    expect(j.close()).to.equal(true);
  });

  it('reverts idempotently and a fresh process can replay what a dead one left', async () => {
    const j = Journal.open('replay-test', 't');
    await j.change({ type: 'blkio-throttle', cgroupFile: limit, device: '254:0', previous: 0 }, async () => writeFileSync(limit, '254:0 8\n'));
    // "kill" the writer: reload from disk as `kdrill clean` does
    const again = Journal.list().find((x) => x.file.runId === 'replay-test')!;
    expect(again.pending()).to.have.length(1);
    expect(writerAlive(again.file)).to.equal(true); // we are that writer, still alive
    expect(writerAlive({ ...again.file, pid: 999_999_999 })).to.equal(false);
    await again.revertAll();
    expect(readFileSync(limit, 'utf8').trim()).to.equal('254:0 0');
    expect(await again.revertAll()).to.deep.equal([]); // second replay: nothing left, no error
    await again.revert(again.file.entries[0]!);
    expect(again.close()).to.equal(true);
    expect(existsSync(again.path)).to.equal(false);
  });

  it('undoing a change whose target is gone is success (cgroup of a removed container)', async () => {
    const j = Journal.open('gone-test', 't');
    await j.change({ type: 'blkio-throttle', cgroupFile: join(dir, 'gone', 'x'), device: '254:0', previous: 0 }, async () => undefined);
    expect(await j.revertAll()).to.deep.equal([]);
    expect(j.close()).to.equal(true);
  });

  it('after an interrupt no further change is made, and the in-flight one is undone', async () => {
    const j = Journal.open('abort-test', 't');
    let applying!: () => void;
    const applyStarted = new Promise<void>((r) => (applying = r));
    const inflight = j.change({ type: 'blkio-throttle', cgroupFile: limit, device: '254:0', previous: 0 }, async () => {
      applying();
      await new Promise((r) => setTimeout(r, 50));
      writeFileSync(limit, '254:0 8\n');
    });
    await applyStarted;
    const reverting = j.revertAll({ abort: true });
    await inflight;
    await reverting;
    expect(readFileSync(limit, 'utf8').trim()).to.equal('254:0 0');
    let refused: unknown;
    await j.change({ type: 'docker-unpause', container: 'x' }, async () => undefined).catch((e) => (refused = e));
    expect(refused).to.be.instanceOf(JournalAborted);
    expect(j.close()).to.equal(true);
  });

  it('keeps the file while something could not be undone', async () => {
    const j = Journal.open('keep-test', 't');
    // a directory where a file is expected: the write fails with EISDIR
    await j.change({ type: 'blkio-throttle', cgroupFile: dir, device: '254:0', previous: 0 }, async () => undefined);
    const errors = await j.revertAll();
    expect(errors).to.have.length(1);
    expect(j.close()).to.equal(false);
    expect(existsSync(j.path)).to.equal(true);
  });
});
