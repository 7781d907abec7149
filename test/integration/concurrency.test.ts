import { expect } from 'chai';
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempStateDir } from './fixtures/shared-etcd.js';
import { record } from './fixtures/measure.js';
import type { JournalFile } from '../../src/journal.js';

/**
 * Two `kdrill run` started together on one machine (one state directory):
 * each makes its own etcd containers and throttles only them. Kind drills of
 * one shape are the other case: one of the two is refused (the lease), which
 * the e2e and lease tests check.
 */
describe('two kdrill runs at once on one machine', function () {
  it("both pass on their own containers, and neither's throttle reaches the other's", async () => {
    const state = tempStateDir('concurrent');
    const env = { KDRILL_STATE: state, CI: '1', TESTCONTAINERS_RYUK_DISABLED: 'true' };
    const a = execa('node', ['dist/src/cli.js', 'run', 'etcd-slow-follower'], { env, reject: false, all: true });
    const b = execa('node', ['dist/src/cli.js', 'run', 'etcd-slow-follower'], { env, reject: false, all: true });
    // while they run: every throttle a journal records is on a container labelled with that journal's own run
    const seen = new Map<string, string>(); // cgroup file -> run
    const wrong: string[] = [];
    let done = false;
    void Promise.all([a, b]).then(() => (done = true));
    while (!done) {
      let names: string[] = [];
      try {
        names = readdirSync(join(state, 'journal')).filter((n) => n.endsWith('.json'));
      } catch {
        /* not yet */
      }
      for (const n of names) {
        let j: JournalFile;
        try {
          j = JSON.parse(readFileSync(join(state, 'journal', n), 'utf8')) as JournalFile;
        } catch {
          continue;
        }
        for (const e of j.entries) {
          const file = (e.record as { cgroupFile?: string }).cgroupFile;
          if (e.record.type !== 'blkio-limit' || !file || seen.has(file)) continue;
          seen.set(file, j.runId);
          const id = /\/docker\/([0-9a-f]{64})\//.exec(file)?.[1];
          const label = id ? (await execa('docker', ['inspect', '--format', '{{index .Config.Labels "dev.kdrill.run"}}', id], { reject: false })).stdout.trim() : '';
          if (label !== j.runId) wrong.push(`${j.runId} throttled ${file} (a container of ${label || 'no run'})`);
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const [ra, rb] = await Promise.all([a, b]);
    record('two runs at once', `exit ${ra.exitCode} and ${rb.exitCode}; ${seen.size} throttled cgroup(s) seen, by ${new Set(seen.values()).size} run(s)`);
    expect(wrong).to.deep.equal([]);
    expect([ra.exitCode, rb.exitCode], `${ra.all}\n-----\n${rb.all}`).to.deep.equal([0, 0]);
    expect(new Set(seen.values()).size, 'both runs throttled something').to.equal(2);
  });
});
