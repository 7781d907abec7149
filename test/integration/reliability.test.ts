import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { tempStateDir } from './fixtures/shared-etcd.js';

const CLI = 'dist/src/cli.js';
const CHILD = 'dist/test/integration/fixtures/lease-child.js';

/** A live process holding `cluster`'s lease in `state` until stop() (stdin closed). */
async function liveHolder(state: string, cluster: string): Promise<{ pid: number; stop(): Promise<void> }> {
  const p = execa('node', [CHILD, cluster, 'now'], { env: { KDRILL_STATE: state }, stdin: 'pipe', reject: false });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: p.stdout! }).on('line', (l) => l === 'READY' && resolve());
    void p.then((r) => reject(new Error(`lease child exited: ${r.stderr}`)));
  });
  return {
    pid: p.pid!,
    async stop() {
      p.stdin!.end();
      await p;
    },
  };
}

/** A lease left by a process that is gone (its pid cannot be alive: beyond pid_max). */
function staleLease(state: string, cluster: string): void {
  mkdirSync(join(state, 'leases'), { recursive: true });
  writeFileSync(join(state, 'leases', `${cluster}.json`), JSON.stringify({ cluster, host: (process.env.HOSTNAME ?? ''), pid: 4_194_999, pidStart: '1', since: '2026-01-01T00:00:00Z', purpose: 'a killed run' }));
}

describe('nothing left behind, nothing deleted that is not ours (real processes)', function () {
  it('a stale lease read by several runs at the same instant is taken over by exactly one of them (20 races of 4)', async () => {
    const state = tempStateDir('lease-race');
    let winners = 0;
    for (let race = 0; race < 20; race++) {
      const cluster = `kdrill-race-${race}`;
      staleLease(state, cluster);
      const at = Date.now() + 700; // every child is up (node starts in ~100 ms) and spinning before this instant
      const kids: ResultPromise[] = Array.from({ length: 4 }, () => execa('node', [CHILD, cluster, String(at)], { env: { KDRILL_STATE: state }, stdin: 'pipe', reject: false }));
      const lines = await Promise.all(
        kids.map((k) => new Promise<{ pid: number; got: boolean; heldBy: number | null }>((resolve) => createInterface({ input: k.stdout! }).once('line', (l) => resolve(JSON.parse(l))))),
      );
      const got = lines.filter((l) => l.got);
      expect(got, `race ${race}: ${JSON.stringify(lines)}`).to.have.length(1);
      // the others name the winner as the holder
      for (const l of lines.filter((x) => !x.got)) expect(l.heldBy, `race ${race}`).to.equal(got[0]!.pid);
      const onDisk = JSON.parse(readFileSync(join(state, 'leases', `${cluster}.json`), 'utf8')) as { pid: number };
      expect(onDisk.pid).to.equal(got[0]!.pid);
      winners++;
      for (const k of kids) k.stdin!.end();
      await Promise.all(kids);
    }
    expect(winners).to.equal(20);
    // no reap marker is left behind
    expect(readdirSync(join(state, 'leases')).filter((f) => f.includes('.reap-'))).to.deep.equal([]);
  });

  it("`kdrill clean` replaying a killed run's pool journal leaves a cluster (and its etcd disk) that a live run has taken over", async () => {
    const state = tempStateDir('clean-lease');
    const cluster = 'kdrill-taken-over';
    // the killed run created the cluster and its disk (a real file: clean would delete it)
    const disks = join(state, 'disks');
    mkdirSync(disks, { recursive: true });
    const file = join(disks, `${cluster}-cp1.img`);
    writeFileSync(file, 'etcd data');
    mkdirSync(join(state, 'journal'), { recursive: true });
    const journal = {
      runId: 'pool-killed',
      title: 'kind clusters and disks created for drills',
      host: (await execa('hostname')).stdout.trim(),
      pid: 4_194_998,
      pidStart: '1',
      startedAt: '2026-11-30T00:00:00Z',
      entries: [
        { id: 1, at: '2026-11-30T00:00:01Z', state: 'pending', record: { type: 'loop-disk', cluster, file, mountpoint: file.slice(0, -4) } },
        { id: 2, at: '2026-11-30T00:00:02Z', state: 'pending', record: { type: 'kind-cluster', cluster } },
      ],
    };
    writeFileSync(join(state, 'journal', 'pool-killed.json'), JSON.stringify(journal));
    const live = await liveHolder(state, cluster);
    try {
      const r = await execa('node', [CLI, 'clean'], { env: { KDRILL_STATE: state }, reject: false, all: true });
      console.log(r.all.replace(/^/gm, '        | '));
      expect(r.exitCode, r.all).to.equal(0);
      expect(r.all).to.match(new RegExp(`LEFT: delete kind cluster ${cluster} \\(${cluster} is in use by another kdrill run \\(pid ${live.pid}`));
      expect(r.all).to.match(/1 left for a live run|2 left for a live run/);
      expect(existsSync(file), 'the live run\'s etcd disk').to.equal(true);
      const after = JSON.parse(readFileSync(join(state, 'journal', 'pool-killed.json'), 'utf8')) as typeof journal;
      expect(after.entries.map((e) => e.state)).to.deep.equal(['pending', 'pending']);
    } finally {
      await live.stop();
    }
    // once that run has ended, clean does delete them
    const r = await execa('node', [CLI, 'clean'], { env: { KDRILL_STATE: state }, reject: false, all: true });
    expect(r.exitCode, r.all).to.equal(0);
    expect(existsSync(file)).to.equal(false);
    expect(existsSync(join(state, 'journal', 'pool-killed.json'))).to.equal(false);
  });

  it('`kdrill smoke --name X` on a cluster a running drill holds is refused and deletes nothing', async () => {
    const state = tempStateDir('smoke-lease');
    const live = await liveHolder(state, 'kdrill-held-by-drill');
    try {
      const r = await execa('node', [CLI, 'smoke', '--name', 'held-by-drill'], { env: { KDRILL_STATE: state }, reject: false, all: true });
      expect(r.exitCode, r.all).to.equal(2);
      expect(r.all).to.match(new RegExp(`kdrill-held-by-drill is in use by another kdrill run: pid ${live.pid}`));
      expect(r.all.trim().split('\n')).to.have.length(1);
    } finally {
      await live.stop();
    }
  });
});
