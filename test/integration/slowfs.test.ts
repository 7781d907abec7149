import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { closeSync, existsSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSlowFs } from '../../src/cluster/slowfs.js';
import { record } from './fixtures/measure.js';

/** Mean fdatasync time (ms) of `n` 4 KiB appends to a file on the mount. */
function fdatasyncMeanMs(file: string, n: number): number {
  const fd = openSync(file, 'a');
  try {
    let total = 0;
    for (let i = 0; i < n; i++) {
      writeSync(fd, Buffer.alloc(4096, i));
      const t = performance.now();
      fdatasyncSync(fd);
      total += performance.now() - t;
    }
    return total / n;
  } finally {
    closeSync(fd);
  }
}

async function mounted(dir: string): Promise<boolean> {
  return readFileSync('/proc/self/mounts', 'utf8').includes(` ${dir} fuse.kdrill-slowfs `);
}

describe('kdrill-slowfs: the real FUSE layer on this host, real fdatasync', function () {
  let dir: string;
  let daemon: ResultPromise | undefined;
  const control = () => join(dir, 'delay-ms');
  /** The layer rewrites its stats file as soon as it takes a new delay: wait for that, not for a fixed time. */
  const inForce = async (ms: number) => {
    for (let i = 0; i < 100; i++) {
      const stats = existsSync(join(dir, 'stats')) ? readFileSync(join(dir, 'stats'), 'utf8') : '';
      if (stats.includes(`delay_ms ${ms}\n`)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`kdrill-slowfs did not report delay_ms ${ms} within 2 s`);
  };

  before(async function () {
    const bin = join(await ensureSlowFs(), 'kdrill-slowfs');
    dir = mkdtempSync(join(tmpdir(), 'kdrill-slowfs-it-'));
    for (const d of ['backing', 'mnt']) await execa('mkdir', ['-p', join(dir, d)]);
    daemon = execa(bin, ['-backing', join(dir, 'backing'), '-mount', join(dir, 'mnt'), '-control', control(), '-stats', join(dir, 'stats')], { reject: false });
    for (let i = 0; i < 50 && !(await mounted(join(dir, 'mnt'))); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await mounted(join(dir, 'mnt')), 'kdrill-slowfs did not mount (is /dev/fuse here?)').to.equal(true);
  });

  after(async () => {
    daemon?.kill('SIGTERM');
    await daemon;
    expect(await mounted(join(dir, 'mnt')), 'still mounted after SIGTERM').to.equal(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes fsync through at 0, delays exactly what the control file says, and goes back to 0', async () => {
    const file = join(dir, 'mnt', 'wal');
    const base = fdatasyncMeanMs(file, 10);
    const got: Record<number, number> = {};
    for (const ms of [100, 800]) {
      writeFileSync(control(), `${ms}\n`);
      await inForce(ms);
      got[ms] = fdatasyncMeanMs(file, ms === 800 ? 4 : 10);
    }
    writeFileSync(control(), '0\n');
    await inForce(0);
    const after = fdatasyncMeanMs(file, 10);
    record('kdrill-slowfs', `fdatasync mean: ${base.toFixed(1)} ms at 0, ${got[100]!.toFixed(1)} ms at 100, ${got[800]!.toFixed(1)} ms at 800, ${after.toFixed(1)} ms after reset`);
    expect(base).to.be.below(50);
    expect(got[100]).to.be.within(100, 100 + Math.max(25, base * 3));
    expect(got[800]).to.be.within(800, 800 + Math.max(25, base * 3));
    expect(after).to.be.below(50);
    // the data went through to the backing directory
    expect(readFileSync(join(dir, 'backing', 'wal')).length).to.equal((10 + 10 + 4 + 10) * 4096);
  });
});
