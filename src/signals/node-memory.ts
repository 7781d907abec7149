import { readMemorySample, type MemorySample } from '../host/cgroups.js';
import { nodesOf } from '../targets/target.js';
import { sleep } from '../util/sleep.js';
import type { Source } from './signal.js';

const MiB = 2 ** 20;

/**
 * Each node's memory as its own cgroup on this host counts it (what the
 * kernel's reclaim and OOM killer act on), every second:
 * - "node.memory" value: MiB charged (page cache included); text: its cap and the anon/file split;
 * - "node.memory.of_cap" value: percent of the cap (0 while there is none);
 * - "node.majfault_rate" value: major page faults per second over the last
 *   second, everything in the node counted (v1 total_pgmajfault: plain
 *   pgmajfault counts only processes directly in that cgroup, i.e. none) —
 *   the postmortem's thrashing signal: code pages evicted and read back from disk.
 * OOM kills come from the kernel log (kernel-oom.ts): v1's oom_kill counter
 * counts only kills of tasks directly in the cgroup (measured: 0 on a node
 * whose leaker the kernel had just killed).
 */
export function nodeMemorySource(): Source {
  return {
    key: 'node.memory',
    needs: ['node.host'],
    clock: { kind: 'poll', periodMs: 1000 },
    async start({ target, log, abort }) {
      const nodes = [...nodesOf(target).values()].filter((n) => n.hostCgroup);
      const places = await Promise.all(nodes.map(async (n) => ({ node: n, cg: await n.hostCgroup!('memory') })));
      const last = new Map<string, { s: MemorySample; at: number }>();
      const tick = async (): Promise<void> => {
        for (const { node, cg } of places) {
          let s: MemorySample;
          try {
            s = await readMemorySample(cg.dir, cg.version);
          } catch {
            continue; // the node container is gone (or going)
          }
          const at = Date.now();
          const prev = last.get(node.name);
          last.set(node.name, { s, at });
          const split = s.anon !== undefined ? `; anon ${(s.anon / MiB).toFixed(0)} MiB, file ${((s.file ?? 0) / MiB).toFixed(0)} MiB` : '';
          log.emit({ signal: 'node.memory', subject: node.name, at, value: Math.round(s.usage / MiB), text: `cap ${s.limit ? `${(s.limit / MiB).toFixed(0)} MiB` : 'none'}${split}` });
          log.emit({ signal: 'node.memory.of_cap', subject: node.name, at, value: s.limit ? Math.round((1000 * s.usage) / s.limit) / 10 : 0, text: s.limit ? undefined : 'no cap' });
          if (prev) {
            const dt = (at - prev.at) / 1000;
            // counters restart with a new cgroup (the node container restarted): a drop is a reset, not a negative rate
            const faults = s.majorFaults >= prev.s.majorFaults ? s.majorFaults - prev.s.majorFaults : s.majorFaults;
            log.emit({ signal: 'node.majfault_rate', subject: node.name, at, value: Math.round(faults / dt), text: `${s.majorFaults} major faults in all` });
          }
        }
      };
      await tick();
      let running = true;
      const loop = (async () => {
        while (running && !abort.aborted) {
          await sleep(1000, abort);
          if (running) await tick();
        }
      })();
      return {
        stop: async () => {
          running = false;
          await loop;
        },
      };
    },
  };
}
