import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../../src/util/paths.js';
import { etcdDiskName, etcdDisksOf } from '../../src/cluster/loop-disk.js';

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

describe('etcdDisksOf', () => {
  const saved = process.env.KDRILL_STATE;
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'kdrill-disks-'));
    process.env.KDRILL_STATE = root;
    mkdirSync(join(root, 'disks'));
    for (const f of ['kdrill-drill-1cp-cp1.img', 'kdrill-drill-1cp-slowfs-cp1.img', 'kdrill-drill-3cp-cp1.img', 'kdrill-drill-3cp-cp12.img', 'kdrill-drill-3cp-cp1']) {
      writeFileSync(join(root, 'disks', f), '');
    }
  });
  after(() => {
    if (saved === undefined) delete process.env.KDRILL_STATE;
    else process.env.KDRILL_STATE = saved;
    rmSync(root, { recursive: true, force: true });
  });

  it("finds a cluster's control-plane disks by exact name, never another cluster's that shares its prefix", () => {
    expect(etcdDisksOf('kdrill-drill-1cp').map((d) => d.file)).to.deep.equal([join(root, 'disks', 'kdrill-drill-1cp-cp1.img')]);
    expect(etcdDisksOf('kdrill-drill-1cp-slowfs').map((d) => d.mountpoint)).to.deep.equal([join(root, 'disks', 'kdrill-drill-1cp-slowfs-cp1')]);
    expect(etcdDisksOf('kdrill-drill-3cp').map((d) => d.file).sort()).to.deep.equal(['kdrill-drill-3cp-cp1.img', 'kdrill-drill-3cp-cp12.img'].map((f) => join(root, 'disks', f)));
    expect(etcdDisksOf('kdrill-drill-3cp-cp1')).to.deep.equal([]);
  });
  it('names disks the way it finds them', () => {
    expect(etcdDiskName('kdrill-drill-3cp', 2)).to.equal('kdrill-drill-3cp-cp3');
  });
});
