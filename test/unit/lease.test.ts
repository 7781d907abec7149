import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, utimesSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { leaseCluster, leaseDir, leaseHolder, releaseHeldLeases, releaseLease, type Lease } from '../../src/cluster/lease.js';
import { procStart } from '../../src/util/owner.js';
import { KdrillError } from '../../src/util/errors.js';

// Real processes and real files: a live child process holds a lease, a dead pid's lease is stale.
describe('cluster lease (one run at a time on a cluster)', () => {
  let other: ChildProcess;
  before(() => {
    process.env.KDRILL_STATE = mkdtempSync(join(tmpdir(), 'kdrill-lease-'));
    other = spawn('sleep', ['60'], { stdio: 'ignore' });
  });
  after(() => {
    other.kill('SIGKILL');
  });

  function writeLease(cluster: string, pid: number, pidStart: string): void {
    const l: Lease = { cluster, host: hostname(), pid, pidStart, since: '2026-11-22T00:00:00Z', purpose: 'mocha drills.test.js' };
    writeFileSync(join(leaseDir(), `${cluster}.json`), JSON.stringify(l));
  }

  it('is taken once per process, again without complaint, and given back', () => {
    leaseCluster('kdrill-a', 'kdrill run x');
    leaseCluster('kdrill-a', 'kdrill run y');
    const l = JSON.parse(readFileSync(join(leaseDir(), 'kdrill-a.json'), 'utf8')) as Lease;
    expect(l.pid).to.equal(process.pid);
    expect(l.purpose).to.equal('kdrill run x');
    expect(leaseHolder('kdrill-a')?.pid).to.equal(process.pid);
    releaseLease('kdrill-a');
    expect(existsSync(join(leaseDir(), 'kdrill-a.json'))).to.equal(false);
    expect(leaseHolder('kdrill-a')).to.equal(undefined);
    leaseCluster('kdrill-a', 'kdrill run x');
    releaseHeldLeases(); // what the pool does when a run ends
    expect(existsSync(join(leaseDir(), 'kdrill-a.json'))).to.equal(false);
  });

  it('refuses a cluster a live process holds, naming its pid, and leaves its lease alone', () => {
    writeLease('kdrill-b', other.pid!, procStart(other.pid!));
    expect(() => leaseCluster('kdrill-b', 'kdrill run x'))
      .to.throw(KdrillError, new RegExp(`kdrill-b is in use by another kdrill run: pid ${other.pid} \\(mocha drills.test.js`));
    expect(leaseHolder('kdrill-b')?.pid).to.equal(other.pid);
    expect(existsSync(join(leaseDir(), 'kdrill-b.json'))).to.equal(true);
    releaseLease('kdrill-b'); // not ours: a no-op
    expect(leaseHolder('kdrill-b')?.pid).to.equal(other.pid);
  });

  it('takes over a lease whose process is gone, or whose pid now belongs to a later process', () => {
    writeLease('kdrill-c', 999_999_999, '1');
    expect(leaseHolder('kdrill-c')).to.equal(undefined);
    leaseCluster('kdrill-c', 'kdrill run x');
    expect(leaseHolder('kdrill-c')?.pid).to.equal(process.pid);
    releaseLease('kdrill-c');
    writeLease('kdrill-d', other.pid!, 'not-its-start-time'); // pid recycled
    leaseCluster('kdrill-d', 'kdrill run x');
    expect(leaseHolder('kdrill-d')?.pid).to.equal(process.pid);
    releaseLease('kdrill-d');
  });

  it('takes over a lease file left empty by a process killed between create and write', () => {
    writeFileSync(join(leaseDir(), 'kdrill-e.json'), '');
    const old = new Date(Date.now() - 10_000);
    utimesSync(join(leaseDir(), 'kdrill-e.json'), old, old);
    leaseCluster('kdrill-e', 'kdrill run x');
    expect(leaseHolder('kdrill-e')?.pid).to.equal(process.pid);
    releaseLease('kdrill-e');
  });

  it('does not take a lease file that is empty but fresh (another run between create and write)', () => {
    writeFileSync(join(leaseDir(), 'kdrill-f.json'), '');
    expect(() => leaseCluster('kdrill-f', 'kdrill run x')).to.throw(KdrillError, /could not take its lease/);
    expect(existsSync(join(leaseDir(), 'kdrill-f.json'))).to.equal(true);
  });

  it('refuses a name that is not a cluster name (no path tricks)', () => {
    expect(() => leaseCluster('../etc/passwd', 'x')).to.throw(/not a cluster name/);
  });
});
