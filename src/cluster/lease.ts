import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../util/paths.js';
import { isThisProcess, ownerAlive, thisProcess, type Owner } from '../util/owner.js';
import { KdrillError } from '../util/errors.js';

/**
 * One run at a time on a cluster. Two drills on one cluster measure each
 * other's faults (one run's disk throttle is the other's "unhealthy
 * baseline"), and one run's cleanup deletes the cluster under the other. A
 * run leases the cluster before it touches it: a file created exclusively
 * under the state directory, naming the process. A lease whose process is
 * gone (killed, crashed) is stale and is taken over, by exactly one taker:
 * see takeOverStale.
 */
export interface Lease extends Owner {
  cluster: string;
  since: string;
  purpose: string;
}

export function leaseDir(): string {
  return join(stateDir(), 'leases');
}

function leasePath(cluster: string): string {
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(cluster)) throw new Error(`not a cluster name: ${JSON.stringify(cluster)}`);
  return join(leaseDir(), `${cluster}.json`);
}

function read(path: string): Lease | undefined {
  try {
    const l = JSON.parse(readFileSync(path, 'utf8')) as Lease;
    return typeof l?.pid === 'number' && typeof l.pidStart === 'string' ? l : undefined;
  } catch {
    return undefined; // absent, or half-written by a process killed between create and write
  }
}

/** How long an existing lease file has been there without a readable lease (0 if absent or readable). */
function unreadableFor(path: string): number {
  try {
    return read(path) ? 0 : Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** The live lease on a cluster, if any (this process's included). */
export function leaseHolder(cluster: string): Lease | undefined {
  const l = read(leasePath(cluster));
  return l && ownerAlive(l) ? l : undefined;
}

export function describeLease(l: Lease): string {
  return `pid ${l.pid} (${l.purpose}, since ${l.since})`;
}

const held = new Set<string>();

function sameOwner(a: Lease | undefined, b: Lease | undefined): boolean {
  return !!a && !!b && a.host === b.host && a.pid === b.pid && a.pidStart === b.pidStart && a.since === b.since;
}

/**
 * Removes a stale lease, or leaves it to the one process that may. Two runs
 * can read the same stale lease at once; if both removed "the lease at the
 * path" the second would remove the first's fresh one. So a stale lease is
 * removed only by the process that created its reap marker (O_EXCL, named for
 * the dead owner: exactly one creator), and only after re-reading that the
 * lease at the path is still that dead owner's. Nobody else removes a lease
 * and nobody creates one while one exists, so what it removes is the stale one.
 * A marker left by a reaper that died mid-reap is stale once its own process
 * is gone, and is removed by whoever finds it so.
 */
function takeOverStale(path: string, staleId: string, stillStale: () => boolean): void {
  const marker = `${path}.reap-${staleId}`;
  let fd: number;
  try {
    fd = openSync(marker, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const reaper = read(marker);
    if (!reaper || !ownerAlive(reaper)) {
      if (!reaper && unreadableFor(marker) < 5000) return; // being written: look again
      rmSync(marker, { force: true }); // its reaper died mid-reap
    }
    return; // another process is reaping: look again
  }
  try {
    writeSync(fd, JSON.stringify({ ...thisProcess(), cluster: '', since: new Date().toISOString(), purpose: 'reap' }));
    closeSync(fd);
    if (stillStale()) rmSync(path, { force: true });
  } finally {
    rmSync(marker, { force: true });
  }
}

/** Takes the lease, or returns the live holder when another process has it. */
export function leaseOrHolder(cluster: string, purpose: string): Lease | undefined {
  const path = leasePath(cluster);
  mkdirSync(leaseDir(), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + 2000;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if (attempt > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + Math.min(attempt, 10) * 5); // let the other process finish its step
    const have = read(path);
    if (have && isThisProcess(have)) {
      held.add(cluster);
      return undefined;
    }
    if (have && ownerAlive(have)) return have;
    if (have) {
      takeOverStale(path, `${have.pid}-${have.pidStart}`, () => sameOwner(read(path), have));
      continue;
    }
    // an unreadable file younger than 5 s may be another run's lease being written: look again; older, it is
    // a run killed between create and write (nobody else can write it any more): remove it through a marker too
    if (unreadableFor(path) > 5000) {
      takeOverStale(path, 'unreadable', () => unreadableFor(path) > 5000);
      continue;
    }
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue; // another run won the race: look again
      throw e;
    }
    try {
      const lease: Lease = { cluster, ...thisProcess(), since: new Date().toISOString(), purpose };
      writeSync(fd, JSON.stringify(lease) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    held.add(cluster);
    return undefined;
  }
  throw new KdrillError(`cluster ${cluster}: could not take its lease (${path} keeps changing)`);
}

/**
 * Leases `cluster` to this process, or refuses with who holds it. Idempotent
 * within a process. Released by releaseLease only: a run that dies leaves a
 * stale lease, and the next run that takes it over must first find that the
 * dead run's changes on the cluster were undone (`kdrill clean`).
 */
export function leaseCluster(cluster: string, purpose: string): void {
  const have = leaseOrHolder(cluster, purpose);
  if (have) {
    throw new KdrillError(`cluster ${cluster} is in use by another kdrill run: ${describeLease(have)}`, {
      hint: `wait for it to finish, or stop it (kill ${have.pid}; kdrill clean then undoes what it left)`,
    });
  }
}

/** Runs `fn` holding the cluster's lease (taken and given back here unless this process held it already). */
export async function withLease<T>(cluster: string, purpose: string, fn: () => Promise<T>): Promise<T> {
  const had = held.has(cluster);
  leaseCluster(cluster, purpose);
  try {
    return await fn();
  } finally {
    if (!had) releaseLease(cluster);
  }
}

/** Gives a cluster back (only a lease this process holds). */
export function releaseLease(cluster: string): void {
  held.delete(cluster);
  const path = leasePath(cluster);
  const have = read(path);
  if (have && isThisProcess(have)) rmSync(path, { force: true });
}

/** Gives back every cluster this process leased (the pool, when a run ends and its changes are undone). */
export function releaseHeldLeases(): void {
  for (const c of [...held]) releaseLease(c);
}

/** Clusters this process holds. */
export function heldLeases(): string[] {
  return [...held];
}
