import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../../src/util/paths.js';

describe('cacheDir', () => {
  const saved = process.env.KDRILL_CACHE;
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kdrill-paths-'));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.KDRILL_CACHE;
    else process.env.KDRILL_CACHE = saved;
    rmSync(root, { recursive: true, force: true });
  });

  it('creates the directory on a fresh machine (the Go builds run in it: a missing cwd fails them as "spawn go ENOENT")', () => {
    process.env.KDRILL_CACHE = join(root, 'a', 'b');
    expect(existsSync(process.env.KDRILL_CACHE)).to.equal(false);
    expect(cacheDir()).to.equal(join(root, 'a', 'b'));
    expect(existsSync(join(root, 'a', 'b'))).to.equal(true);
  });
});
