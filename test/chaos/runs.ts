import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHAOS_CASES, seeded, type ChaosCase, type KillPhase } from './cases.js';
import { clean, containersState, createdClusterLeft, diff, killDuring, kindState, ownContainersLeft, type KillResult } from './harness.js';
import type { EtcdContainersTarget } from '../../src/targets/etcd-containers.js';
import { stateDir } from '../../src/util/paths.js';

const CLI = 'dist/src/cli.js';

/** One kill of a containers-tier case on the shared members (or, for 'own', of a drill that makes its own containers). */
export async function killContainersCase(c: ChaosCase, target: EtcdContainersTarget, phase: KillPhase, rand: () => number): Promise<KillResult> {
  const t0 = Date.now();
  const state = mkdtempSync(join(tmpdir(), 'kdrill-chaos-'));
  const before = c.drill === 'own' ? {} : await containersState(target);
  const env = { KDRILL_STATE: state, CI: '1', TESTCONTAINERS_RYUK_DISABLED: 'true' };
  const drill = c.drill === 'own' ? 'etcd-slow-follower' : `chaos-${c.drill}`;
  const child = () =>
    c.drill === 'own'
      ? execa('node', [CLI, 'run', 'etcd-slow-follower'], { env, reject: false, all: true })
      : execa('node', ['dist/test/chaos/child.js', JSON.stringify({ drill: c.drill, containers: target.etcd.members.map((m) => m.container!.name) })], { env, reject: false, all: true });
  const k = await killDuring(child, state, drill, phase, rand, 'containers');
  const cl = await clean(state);
  const after = c.drill === 'own' ? await ownContainersLeft(k.runId) : await containersState(target);
  const diffs = c.drill === 'own' ? Object.entries(after).filter(([, v]) => v !== '').map(([k2, v]) => `${k2} left: ${v}`) : diff(before, after);
  if (cl.code !== 0) diffs.push(`kdrill clean exited ${cl.code}`);
  return { case: c.name, target: phase, killedIn: k.killedIn, delayMs: k.delayMs, restored: diffs.length === 0, diffs, clean: cl.out, ms: Date.now() - t0 };
}

/**
 * One kill of a kind case: a real `kdrill run <drill>` on the cluster of its
 * shape (which the caller lends), killed in `phase`, then `kdrill clean`, then
 * the cluster's state against `before`. The "cluster being created" case runs
 * where no cluster of its shape exists and must leave none.
 */
export async function killKindCase(c: ChaosCase, phase: KillPhase, rand: () => number, before: Record<string, string>): Promise<KillResult> {
  const t0 = Date.now();
  const state = stateDir();
  const child = () => execa('node', [CLI, 'run', c.drill, ...(c.args ?? [])], { env: { CI: '1' }, reject: false, all: true });
  const k = await killDuring(child, state, c.drill, phase, rand, 'kind');
  const cl = await clean(state);
  const creating = c.kinds.includes('kind-cluster');
  const after = creating ? await createdClusterLeft(c.shape!) : await kindState(c.shape!);
  const diffs = creating ? (after.cluster === 'absent' && !after.files ? [] : [`left: cluster ${after.cluster}, files ${after.files || 'none'}`]) : diff(before, after);
  if (cl.code !== 0) diffs.push(`kdrill clean exited ${cl.code}: ${cl.out.split('\n').slice(-3).join(' | ')}`);
  return { case: c.name, target: phase, killedIn: k.killedIn, delayMs: k.delayMs, restored: diffs.length === 0, diffs, clean: cl.out, ms: Date.now() - t0 };
}

/** A table of kills per change kind: tried (landed in a phase), restored. */
export function summarize(results: KillResult[]): string {
  const rows = new Map<string, { tried: number; restored: number; missed: number; phases: Set<string> }>();
  for (const r of results) {
    const c = CHAOS_CASES.find((x) => x.name === r.case)!;
    for (const kind of c.kinds) {
      let row = rows.get(kind);
      if (!row) rows.set(kind, (row = { tried: 0, restored: 0, missed: 0, phases: new Set() }));
      if (r.killedIn === 'missed') {
        row.missed++;
        continue;
      }
      row.tried++;
      row.phases.add(r.killedIn);
      if (r.restored) row.restored++;
    }
  }
  return [...rows]
    .sort()
    .map(([k, r]) => `  ${k.padEnd(18)} killed ${String(r.tried).padStart(3)}  restored ${String(r.restored).padStart(3)}  (missed ${r.missed}; phases: ${[...r.phases].sort().join(', ')})`)
    .join('\n');
}

/** The seed: KDRILL_CHAOS_SEED replays a run; otherwise a new one, printed. */
export function chaosSeed(): { seed: number; rand: () => number } {
  const seed = process.env.KDRILL_CHAOS_SEED ? Number(process.env.KDRILL_CHAOS_SEED) : Math.floor(Math.random() * 2 ** 31);
  console.log(`      chaos seed ${seed} (KDRILL_CHAOS_SEED=${seed} replays these instants)`);
  return { seed, rand: seeded(seed) };
}
