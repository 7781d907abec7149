import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who wrote a journal or holds a lease: a process on a host, told apart from a later process that got its pid. */
export interface Owner {
  host: string;
  pid: number;
  /** /proc/<pid>/stat start time, so a recycled pid is not taken for a live owner. */
  pidStart: string;
}

export function procStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

export function thisProcess(): Owner {
  return { host: hostname(), pid: process.pid, pidStart: procStart(process.pid) };
}

/** Whether that process is still running (same pid, same start time, this host). */
export function ownerAlive(o: Owner): boolean {
  return o.host === hostname() && procStart(o.pid) !== '' && procStart(o.pid) === o.pidStart;
}

export function isThisProcess(o: Owner): boolean {
  return o.host === hostname() && o.pid === process.pid && o.pidStart === procStart(process.pid);
}
