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
 * under the state directory, naming the process. A lease whose process is gone
 * (killed, crashed) is stale and taken over.
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
    return JSON.parse(readFileSync(path, 'utf8')) as Lease;
  } catch {
    return undefined; // absent, or half-written by a process killed between create and write: stale either way
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
let exitHook = false;

/**
 * Leases `cluster` to this process, or refuses with who holds it. Idempotent
 * within a process. Released by releaseLease, and at process exit.
 */
export function leaseCluster(cluster: string, purpose: string): void {
  const path = leasePath(cluster);
  mkdirSync(leaseDir(), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); // let a writer finish
    const have = read(path);
    if (have && isThisProcess(have)) {
      held.add(cluster);
      return;
    }
    if (have && ownerAlive(have)) {
      throw new KdrillError(`cluster ${cluster} is in use by another kdrill run: ${describeLease(have)}`, {
        hint: `wait for it to finish, or stop it (kill ${have.pid}; kdrill clean then undoes what it left)`,
      });
    }
    // stale: its process is gone, or the file stayed unreadable (a kill between create and write) for over 5 s;
    // an unreadable file younger than that may be another run's lease being written: the create below fails and
    // we look again
    if (have || unreadableFor(path) > 5000) rmSync(path, { force: true });
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
    if (!exitHook) {
      exitHook = true;
      process.on('exit', releaseHeldLeases);
    }
    return;
  }
  throw new KdrillError(`cluster ${cluster}: could not take its lease (${path} keeps changing)`);
}

/** Gives a cluster back (only a lease this process holds). */
export function releaseLease(cluster: string): void {
  held.delete(cluster);
  const path = leasePath(cluster);
  const have = read(path);
  if (have && isThisProcess(have)) rmSync(path, { force: true });
}

/** Gives back every cluster this process leased (the pool, when a run ends). */
export function releaseHeldLeases(): void {
  for (const c of [...held]) releaseLease(c);
}
