import { expect } from 'chai';
import { chmodSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianMirrorFrom } from '../../src/image/debian-mirror.js';
import { kubeconfigDir } from '../../src/cluster/cluster.js';
import { unwrittenMiB } from '../../src/host/disk.js';
import { nodeCount } from '../../src/commands/cluster.js';

describe("the host's own configuration", () => {
  it("debootstraps from the Debian archive the host's apt uses (deb822 and one-line sources; not -security or -updates)", () => {
    const deb822 = {
      name: '/etc/apt/sources.list.d/debian.sources',
      text: 'Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\nComponents: main\n',
    };
    expect(debianMirrorFrom([deb822], 'bookworm')).to.equal('http://mirror.example/debian');
    const oneLine = { name: '/etc/apt/sources.list', text: '# comment\ndeb-src http://src.example/debian bookworm main\ndeb [arch=amd64] https://archive.example/debian/ bookworm main\n' };
    expect(debianMirrorFrom([oneLine], 'bookworm')).to.equal('https://archive.example/debian');
    const disabled = { name: 'x.sources', text: 'Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nEnabled: no\n' };
    expect(debianMirrorFrom([disabled], 'bookworm')).to.equal(undefined);
    expect(debianMirrorFrom([deb822], 'trixie')).to.equal(undefined);
  });

  it('the kubeconfig directory is owner-only even when kind created it first with its own mode', () => {
    const state = mkdtempSync(join(tmpdir(), 'kdrill-kc-'));
    const saved = process.env.KDRILL_STATE;
    process.env.KDRILL_STATE = state;
    try {
      mkdirSync(join(state, 'kubeconfig'), { recursive: true });
      chmodSync(join(state, 'kubeconfig'), 0o755); // what `kind create --kubeconfig` leaves
      expect(kubeconfigDir()).to.equal(join(state, 'kubeconfig'));
      expect(statSync(join(state, 'kubeconfig')).mode & 0o777).to.equal(0o700);
    } finally {
      if (saved === undefined) delete process.env.KDRILL_STATE;
      else process.env.KDRILL_STATE = saved;
    }
  });

  it("reads what the host still has to write from /proc/meminfo's Dirty and Writeback", () => {
    expect(unwrittenMiB('MemTotal: 1 kB\nDirty:          204800 kB\nWriteback:       10240 kB\n')).to.equal(210);
  });

  it('node counts are digits only', () => {
    expect(nodeCount('3', '--workers', 0)).to.equal(3);
    expect(nodeCount(undefined, '--workers', 1)).to.equal(1);
    for (const bad of ['0x3', '1e1', ' 2', '10', '-1', '1.0', '']) expect(() => nodeCount(bad, '--workers', 0), bad).to.throw(/expected a whole number 0-9/);
  });
});
