import { readdir, readFile } from 'node:fs/promises';

/**
 * Processes inside kind node containers, seen from the host's /proc: the
 * truth about restarts that needs no API server (which may be the thing
 * that is down), and the cgroup a process is charged to.
 */
export interface HostProcess {
  pid: number;
  /** Start time in clock ticks since boot (/proc/PID/stat field 22): tells a restart from a PID reuse. */
  startTicks: number;
  argv: string[];
  /** controller -> path, from /proc/PID/cgroup (paths relative to the host's cgroup root). */
  cgroups: Record<string, string>;
  /** Epoch ms the process started (boot time + start ticks). */
  startedAtMs: number;
}

let bootMs: number | undefined;
/** Boot time of this host's kernel (kind nodes share it), from /proc/stat's btime. */
export async function hostBootMs(): Promise<number> {
  if (bootMs === undefined) {
    const btime = /^btime (\d+)$/m.exec(await readFile('/proc/stat', 'utf8'));
    bootMs = Number(btime?.[1] ?? 0) * 1000;
  }
  return bootMs;
}

/** A process from its /proc files' contents (cmdline NUL-separated, stat, cgroup) and its kernel's boot time. */
export function parseProc(pid: number, cmdline: string, stat: string, cgroup: string, bootMs: number): HostProcess {
  const argv = cmdline.split('\0').filter(Boolean);
  // fields after the parenthesised comm: state is field 3, starttime field 22
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(rest[19]);
  const cgroups: Record<string, string> = {};
  for (const line of cgroup.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m) for (const c of m[1]!.split(',')) cgroups[c || 'unified'] = m[2]!;
  }
  return { pid, startTicks, argv, cgroups, startedAtMs: bootMs + (startTicks * 1000) / 100 }; // USER_HZ is 100 on Linux
}

async function readProc(pid: number): Promise<HostProcess | undefined> {
  try {
    const [cmdline, stat, cgroup] = await Promise.all([
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/cgroup`, 'utf8'),
    ]);
    return parseProc(pid, cmdline, stat, cgroup, await hostBootMs());
  } catch {
    return undefined; // exited while we looked
  }
}

/** Processes whose argv[0] basename is `command`, running inside the docker container `containerId` (full id). */
export async function processesInContainer(containerId: string, command: string): Promise<HostProcess[]> {
  const marker = `/docker/${containerId}/`;
  const out: HostProcess[] = [];
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
  await Promise.all(
    pids.map(async (pid) => {
      let argv0: string;
      try {
        argv0 = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')[0] ?? '';
      } catch {
        return;
      }
      if (argv0.split('/').pop() !== command) return;
      const p = await readProc(pid);
      if (p && Object.values(p.cgroups).some((c) => c.startsWith(marker))) out.push(p);
    }),
  );
  return out.sort((a, b) => a.startTicks - b.startTicks);
}

export function blkioDir(p: HostProcess): string {
  const rel = p.cgroups.blkio;
  if (!rel) throw new Error(`process ${p.pid} has no blkio cgroup (is this a cgroup v1 host?)`);
  return `/sys/fs/cgroup/blkio${rel}`;
}
