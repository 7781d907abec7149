import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { readdirSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readBlkioLimit } from '../../src/changes/blkio-limit.js';
import { readWriteIops } from '../../src/changes/write-iops.js';
import { containersWithLabel, inspectContainer, networksWithLabel } from '../../src/util/container.js';
import { RUN_LABEL } from '../../src/util/container.js';
import type { EtcdContainersTarget as EtcdTarget } from '../../src/targets/etcd-containers.js';
import type { JournalFile } from '../../src/journal.js';
import { sharedEtcd, tempStateDir, untilHealthy } from './fixtures/shared-etcd.js';
import { record } from './fixtures/measure.js';

const CLI = 'dist/src/cli.js';

/** Resolves with the journal once one in `dir` satisfies `pred` (fs.watch on the journal dir, with a deadline). */
function journalWhere(dir: string, pred: (j: JournalFile) => boolean, timeoutMs: number): Promise<JournalFile> {
  return new Promise((resolve, reject) => {
    const jdir = join(dir, 'journal');
    const check = (): boolean => {
      let names: string[] = [];
      try {
        names = readdirSync(jdir).filter((n) => n.endsWith('.json'));
      } catch {
        return false;
      }
      for (const n of names) {
        try {
          const j = JSON.parse(readFileSync(join(jdir, n), 'utf8')) as JournalFile;
          if (pred(j)) {
            finish();
            resolve(j);
            return true;
          }
        } catch {
          /* being renamed into place */
        }
      }
      return false;
    };
    const watchers: { close(): void }[] = [];
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`no journal matched within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    };
    watchers.push(watch(dir, { recursive: false }, () => check()));
    const tryJournalDir = (): void => {
      try {
        watchers.push(watch(jdir, () => check()));
      } catch {
        /* not yet created: the dir watcher fires when it is */
      }
    };
    tryJournalDir();
    watchers.push(watch(dir, () => tryJournalDir()));
    check();
  });
}

function kdrill(args: string[], state: string): ResultPromise {
  return execa('node', [CLI, ...args], { env: { KDRILL_STATE: state, CI: '1' }, reject: false, all: true });
}

describe('crash safety: journal, SIGTERM, SIGKILL and `kdrill clean` (checked on real cgroup files and docker)', function () {
  it('SIGKILL mid-fault of `kdrill run etcd-slow-follower`, then `kdrill clean`: no throttle, container or network left', async () => {
    const state = tempStateDir('crash');
    const run = kdrill(['run', 'etcd-slow-follower'], state);
    const j = await journalWhere(state, (x) => x.entries.some((e) => e.record.type === 'blkio-limit'), 180_000);
    const throttle = j.entries.find((e) => e.record.type === 'blkio-limit')!.record as unknown as { cgroupFile: string; device: string };
    // the throttle is really on (the record was written before the write: wait for the write itself)
    const deadline = Date.now() + 10_000;
    while (((await readBlkioLimit(throttle.cgroupFile, throttle.device)) ?? 0) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const limit = await readBlkioLimit(throttle.cgroupFile, throttle.device);
    run.kill('SIGKILL');
    await run;
    const label = `${RUN_LABEL}=${j.runId}`;
    const leftContainers = await containersWithLabel(label);
    const leftLimit = await readBlkioLimit(throttle.cgroupFile, throttle.device);
    const clean = await kdrill(['clean'], state);
    expect(limit, 'throttle applied before the kill').to.be.greaterThan(0);
    expect(leftContainers, 'the killed run left its containers').to.have.length(3);
    expect(leftLimit, 'and its throttle').to.equal(limit);
    expect(clean.exitCode, String(clean.all)).to.equal(0);
    expect(await containersWithLabel(label)).to.deep.equal([]);
    expect(await networksWithLabel(label)).to.deep.equal([]);
    expect(await readBlkioLimit(throttle.cgroupFile, throttle.device), 'cgroup gone with its container').to.equal(undefined);
    expect(readdirSync(join(state, 'journal')).filter((n) => n.endsWith('.json'))).to.deep.equal([]);
    const again = await kdrill(['clean'], state);
    expect(again.exitCode).to.equal(0);
    record('crash: SIGKILL kdrill run + clean', `killed at ${limit} iops with ${leftContainers.length} containers left; clean: ${String(clean.stdout).trim()}`);
  });

  it('SIGKILL of a process holding throttle + partition + pause on a live cluster, then `kdrill clean`: all undone, cluster healthy', async () => {
    const target: EtcdTarget = await sharedEtcd();
    await untilHealthy(target);
    const state = tempStateDir('crash');
    const child = execa('node', ['dist/test/integration/fixtures/fault-child.js', JSON.stringify({ containers: target.etcd.members.map((m) => m.container!.name), runId: 'it-crash-child' })], {
      env: { KDRILL_STATE: state },
      reject: false,
    });
    let ready: string;
    try {
      ready = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('fault child not READY within 120s')), 120_000);
        createInterface({ input: child.stdout! }).on('line', (l) => {
          if (l.startsWith('READY ')) {
            clearTimeout(timer);
            resolve(l.slice(6));
          }
        });
        void child.then((r) => reject(new Error(`fault child exited early: ${r.stderr}`)));
      });
    } finally {
      child.kill('SIGKILL');
      await child;
    }
    const applied = JSON.parse(ready) as { inEffect: boolean[] };
    const [a, b, c] = target.etcd.members;
    const file = await a!.ioCgroup();
    const dev = await a!.dataDevice();
    // what the dead process left, on the real cgroup file and in docker; `kdrill clean` runs before any verdict
    const left = {
      limit: await readWriteIops(file, dev),
      networks: (await inspectContainer(b!.container!.name)).networks,
      paused: (await inspectContainer(c!.container!.name)).paused,
    };
    const clean = await kdrill(['clean'], state);
    expect(left.limit).to.be.greaterThan(0);
    expect(left.networks).to.not.include(b!.container!.peerNetwork.name);
    expect(left.paused).to.equal(true);
    expect(clean.exitCode, String(clean.all)).to.equal(0);
    expect(await readWriteIops(file, dev)).to.equal(0);
    expect((await inspectContainer(b!.container!.name)).networks).to.include(b!.container!.peerNetwork.name);
    expect((await inspectContainer(c!.container!.name)).paused).to.equal(false);
    await untilHealthy(target, 60_000);
    expect(applied.inEffect, 'all three faults were in effect before the kill').to.deep.equal([true, true, true]);
    record('crash: SIGKILL fault child + clean', `${ready}; clean: ${String(clean.stdout).trim()}`);
  });

  it('SIGTERM during a run reverts everything before exiting (exit 2, nothing left, no journal)', async () => {
    const state = tempStateDir('term');
    const run = kdrill(['run', 'etcd-slow-follower'], state);
    const j = await journalWhere(state, (x) => x.entries.some((e) => e.record.type === 'blkio-limit'), 180_000);
    run.kill('SIGTERM');
    const r = await run;
    expect(r.exitCode, String(r.all)).to.equal(2);
    expect(await containersWithLabel(`${RUN_LABEL}=${j.runId}`)).to.deep.equal([]);
    expect(await networksWithLabel(`${RUN_LABEL}=${j.runId}`)).to.deep.equal([]);
    expect(readdirSync(join(state, 'journal')).filter((n) => n.endsWith('.json'))).to.deep.equal([]);
  });

  it('SIGINT then SIGTERM 300 ms later (as CI runners send them): the second is acknowledged and does not cut the revert short', async () => {
    const state = tempStateDir('twosignals');
    const run = kdrill(['run', 'etcd-slow-follower'], state);
    const j = await journalWhere(state, (x) => x.entries.some((e) => e.record.type === 'blkio-limit'), 180_000);
    const t0 = Date.now();
    run.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    run.kill('SIGTERM');
    const r = await run;
    const took = Date.now() - t0;
    console.log(String(r.stderr).split('\n').filter((l) => /SIG/.test(l)).map((l) => `        | ${l}`).join('\n'));
    expect(r.exitCode, String(r.all)).to.equal(2);
    expect(String(r.stderr)).to.match(/SIGTERM again: still reverting, \d+ change\(s\) left; kill -9 and `kdrill clean` to abandon/);
    expect(await containersWithLabel(`${RUN_LABEL}=${j.runId}`)).to.deep.equal([]);
    expect(await networksWithLabel(`${RUN_LABEL}=${j.runId}`)).to.deep.equal([]);
    expect(readdirSync(join(state, 'journal')).filter((n) => n.endsWith('.json'))).to.deep.equal([]);
    record('signals: SIGINT + SIGTERM mid-fault, everything reverted in', `${took} ms`);
  });

  it('SIGINT during provisioning stops it at once and removes what it had created (containers, network, journal)', async () => {
    const state = tempStateDir('provision-int');
    const run = kdrill(['run', 'etcd-slow-follower'], state);
    // the first member container is being created: provisioning is under way
    const j = await journalWhere(state, (x) => x.entries.some((e) => e.record.type === 'docker-container'), 180_000);
    const t0 = Date.now();
    run.kill('SIGINT');
    const r = await run;
    const took = Date.now() - t0;
    expect(r.exitCode, String(r.all)).to.equal(2);
    expect(String(r.stdout)).to.match(/INVALID {2}etcd-slow-follower/);
    expect(String(r.stdout)).to.match(/reason: interrupted/);
    expect(await containersWithLabel(`${RUN_LABEL}=${j.runId}`)).to.deep.equal([]);
    expect(await networksWithLabel(`${RUN_LABEL}=${j.runId}`)).to.deep.equal([]);
    expect(readdirSync(join(state, 'journal')).filter((n) => n.endsWith('.json'))).to.deep.equal([]);
    expect(took, 'no waiting out the provisioning').to.be.below(60_000);
    record('signals: SIGINT during provisioning (containers), nothing left after', `${took} ms`);
  });
});
