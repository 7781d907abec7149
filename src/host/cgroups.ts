import { readFile } from 'node:fs/promises';

/**
 * Which cgroup version serves a controller on this host, and where. A host
 * may mix them: these VMs mount every controller on cgroup v1 and an almost
 * empty cgroup2 at /sys/fs/cgroup/unified (hugetlb only); most hosts today
 * (GitHub's runners, current distributions) are pure v2 at /sys/fs/cgroup. A
 * controller is served by v1 when a v1 hierarchy has it mounted (a controller
 * bound to v1 cannot be enabled on v2), else by v2 when the cgroup2 root lists
 * it in cgroup.controllers. Detected, never assumed.
 */
export type CgroupController = 'memory' | 'io';

export interface CgroupLayout {
  /** v1 controller (memory, blkio, ...) -> its hierarchy's mount point */
  v1: Map<string, string>;
  /** the cgroup2 mount and the controllers its root offers */
  v2?: { mount: string; controllers: Set<string> };
}

export interface ControllerPlace {
  version: 'v1' | 'v2';
  /** the hierarchy's mount point */
  mount: string;
}

/** The cgroup hierarchies in a /proc/PID/mountinfo text (pure). */
export function parseCgroupMounts(mountinfo: string, v2Controllers = ''): CgroupLayout {
  const layout: CgroupLayout = { v1: new Map() };
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const mount = pre.split(' ')[4];
    const [fstype, , superOpts = ''] = post.split(' ');
    if (!mount) continue;
    if (fstype === 'cgroup') {
      for (const opt of superOpts.split(',')) if (opt !== 'rw' && opt !== 'ro' && !opt.includes('=') && !layout.v1.has(opt)) layout.v1.set(opt, mount);
    } else if (fstype === 'cgroup2' && !layout.v2) {
      layout.v2 = { mount, controllers: new Set(v2Controllers.split(/\s+/).filter(Boolean)) };
    }
  }
  return layout;
}

/** Where a controller lives (v1 `memory`/`blkio`, v2 `memory`/`io`), or undefined when neither serves it. */
export function placeOf(layout: CgroupLayout, controller: CgroupController): ControllerPlace | undefined {
  const v1Name = controller === 'io' ? 'blkio' : controller;
  const v1 = layout.v1.get(v1Name);
  if (v1) return { version: 'v1', mount: v1 };
  if (layout.v2?.controllers.has(controller)) return { version: 'v2', mount: layout.v2.mount };
  return undefined;
}

/** This host's cgroup layout, read from /proc/self/mountinfo and the cgroup2 root's cgroup.controllers. */
export async function hostCgroupLayout(): Promise<CgroupLayout> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const bare = parseCgroupMounts(mountinfo);
  const controllers = bare.v2 ? await readFile(`${bare.v2.mount}/cgroup.controllers`, 'utf8').catch(() => '') : '';
  return parseCgroupMounts(mountinfo, controllers);
}

/**
 * The host path of a container's own cgroup for a controller, from its init
 * process's /proc/PID/cgroup (pure). The container's cgroup is the path up to
 * the segment that names its id (cgroupfs: `/docker/<id>`, systemd:
 * `/system.slice/docker-<id>.scope`): systemd inside a kind node moves itself
 * into `<that>/init.scope`, and a limit belongs on the container's own cgroup,
 * which holds everything the node runs.
 */
export function containerCgroupDir(procCgroup: string, containerId: string, place: ControllerPlace, controller: CgroupController): string {
  const v1Name = controller === 'io' ? 'blkio' : controller;
  let path: string | undefined;
  for (const line of procCgroup.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    if (place.version === 'v2' ? m[1] === '0' && m[2] === '' : m[2]!.split(',').includes(v1Name)) path = m[3];
  }
  if (path === undefined) throw new Error(`no ${place.version} ${controller} cgroup in /proc/PID/cgroup of container ${containerId.slice(0, 12)}`);
  const segs = path.split('/');
  const i = segs.findIndex((s) => s.includes(containerId));
  if (i < 0) throw new Error(`the ${controller} cgroup ${path} does not name container ${containerId.slice(0, 12)}`);
  return `${place.mount}${segs.slice(0, i + 1).join('/')}`;
}

/** The files a memory cap and its measurements use, per cgroup version. */
export const MEMORY_FILES = {
  v1: { limit: 'memory.limit_in_bytes', usage: 'memory.usage_in_bytes', majorFaults: 'total_pgmajfault', oomKills: { file: 'memory.oom_control', key: 'oom_kill' } },
  v2: { limit: 'memory.max', usage: 'memory.current', majorFaults: 'pgmajfault', oomKills: { file: 'memory.events', key: 'oom_kill' } },
} as const;

/** v1 reads "no limit" as a huge page-rounded number, v2 as "max". */
export function isUnlimited(v: string): boolean {
  const t = v.trim();
  return t === 'max' || t === '-1' || (/^\d+$/.test(t) && BigInt(t) >= 2n ** 62n);
}

/** A "key value" line's value from memory.stat, memory.events or memory.oom_control (pure). */
export function statValue(text: string, key: string): number | undefined {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

export interface MemorySample {
  /** bytes charged to the cgroup (page cache included) */
  usage: number;
  /** bytes, or undefined when unlimited */
  limit?: number;
  /** major page faults of everything in the cgroup, cumulative */
  majorFaults: number;
  /** OOM kills counted by the cgroup, cumulative: v2 memory.events counts its whole subtree, v1 memory.oom_control only tasks directly in it */
  oomKills: number;
  /** anonymous memory (rss) and page cache, bytes */
  anon?: number;
  file?: number;
}

/** One sample of a memory cgroup directory on this host. */
export async function readMemorySample(dir: string, version: 'v1' | 'v2'): Promise<MemorySample> {
  const f = MEMORY_FILES[version];
  const [usage, limit, stat, oom] = await Promise.all([
    readFile(`${dir}/${f.usage}`, 'utf8'),
    readFile(`${dir}/${f.limit}`, 'utf8'),
    readFile(`${dir}/memory.stat`, 'utf8'),
    readFile(`${dir}/${f.oomKills.file}`, 'utf8'),
  ]);
  return {
    usage: Number(usage.trim()),
    limit: isUnlimited(limit) ? undefined : Number(limit.trim()),
    majorFaults: statValue(stat, f.majorFaults) ?? 0,
    oomKills: statValue(oom, f.oomKills.key) ?? 0,
    anon: statValue(stat, version === 'v1' ? 'total_rss' : 'anon'),
    file: statValue(stat, version === 'v1' ? 'total_cache' : 'file'),
  };
}

/**
 * The host path of a process's cgroup for a controller (pure), from the
 * controller → path map of its /proc/PID/cgroup (v2's "0::" line under "unified").
 */
export function processCgroupDir(cgroups: Record<string, string>, place: ControllerPlace, controller: CgroupController): string {
  const rel = place.version === 'v2' ? cgroups.unified : cgroups[controller === 'io' ? 'blkio' : controller];
  if (rel === undefined) throw new Error(`the process has no ${place.version} ${controller} cgroup`);
  return `${place.mount}${rel}`;
}

let layoutCache: Promise<CgroupLayout> | undefined;
/** Where `controller` lives on this host (read once per process), or a clear error. */
export async function hostPlace(controller: CgroupController): Promise<ControllerPlace> {
  layoutCache ??= hostCgroupLayout();
  const place = placeOf(await layoutCache, controller);
  if (!place) throw new Error(`this host's cgroups offer no ${controller} controller (neither cgroup v1 ${controller === 'io' ? 'blkio' : controller} nor cgroup v2 ${controller})`);
  return place;
}
